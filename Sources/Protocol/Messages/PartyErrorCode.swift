/// The `code` of an error reply (docs/PROTOCOL.md lists when each is sent).
public struct PartyErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The player is already in a party.
    public static let alreadyInParty = PartyErrorCode(rawValue: "already_in_party")
    /// No live party has that invite code (or no such invite, request, loot roll, quest, ...).
    public static let notFound = PartyErrorCode(rawValue: "not_found")
    /// The party has no free seat.
    public static let partyFull = PartyErrorCode(rawValue: "party_full")
    /// The player is in no party.
    public static let notInParty = PartyErrorCode(rawValue: "not_in_party")
    /// The message is not JSON, not an object, or a field is missing or of the wrong type or size.
    public static let invalidMessage = PartyErrorCode(rawValue: "invalid_message")
    /// The player sends faster than the rate limit allows.
    public static let rateLimited = PartyErrorCode(rawValue: "rate_limited")
    /// The `op` is not one the server knows.
    public static let unknownOp = PartyErrorCode(rawValue: "unknown_op")
    /// Only the party's leader may do that.
    public static let notLeader = PartyErrorCode(rawValue: "not_leader")
    /// The named player is not a member of the caller's party.
    public static let notMember = PartyErrorCode(rawValue: "not_member")
    /// The leader named themselves where another member is needed (kick, promote).
    public static let invalidTarget = PartyErrorCode(rawValue: "invalid_target")
    /// The invitee already has a pending invite to this party.
    public static let alreadyInvited = PartyErrorCode(rawValue: "already_invited")
    /// The player already asked to join this party.
    public static let alreadyRequested = PartyErrorCode(rawValue: "already_requested")
    /// The role's slots in the party's composition are all taken.
    public static let compositionFull = PartyErrorCode(rawValue: "composition_full")
    /// A ready check is already running.
    public static let readyCheckActive = PartyErrorCode(rawValue: "ready_check_active")
    /// No ready check is running (or the caller was not asked in it).
    public static let noReadyCheck = PartyErrorCode(rawValue: "no_ready_check")
    /// `session.resume` cannot replay: the events are gone or the party changed; the error
    /// carries the player's current party.
    public static let resyncRequired = PartyErrorCode(rawValue: "resync_required")
    /// The loot roll is already decided.
    public static let rollClosed = PartyErrorCode(rawValue: "roll_closed")
    /// The player may not win that roll: not a member when the item dropped, or no longer one.
    public static let notEligible = PartyErrorCode(rawValue: "not_eligible")
    /// Only the master looter may assign a MASTER_LOOTER roll's item.
    public static let notMasterLooter = PartyErrorCode(rawValue: "not_master_looter")
    /// The party already shares that quest.
    public static let alreadyShared = PartyErrorCode(rawValue: "already_shared")
    /// The session may not do that: a read-only (`"scope":"read"`) session sent a command that
    /// changes something.
    public static let forbidden = PartyErrorCode(rawValue: "forbidden")
    /// The server could not carry out the command (a bug or an exhausted resource).
    public static let internalError = PartyErrorCode(rawValue: "internal_error")

    public var description: String { rawValue }
}

/// An error reply's code and human-readable message.
public struct PartyError: Error, Equatable, Sendable {
    /// The most bytes (UTF-8) of a message. Messages quote names and ids the client sent: an
    /// error must not echo a client's string of any length, nor pin it in the `idem` cache.
    public static let maxMessageBytes = 256

    public let code: PartyErrorCode
    /// At most `maxMessageBytes`: a longer one is cut at a character and ends with `…`.
    public let message: String
    /// Extra fields of the error object, for the codes that have them.
    public let detail: PartyErrorDetail?

    public init(_ code: PartyErrorCode, _ message: String, detail: PartyErrorDetail? = nil) {
        self.code = code
        self.message = Self.clipped(message)
        self.detail = detail
    }

    /// `message` cut to `maxMessageBytes`, at a Unicode scalar boundary.
    private static func clipped(_ message: String) -> String {
        guard message.utf8.count > maxMessageBytes else { return message }
        let ellipsis = "…"
        let budget = maxMessageBytes - ellipsis.utf8.count
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in message.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > budget { break }
            kept.append(scalar)
        }
        return String(kept) + ellipsis
    }
}

/// Machine-readable extras of an error.
public enum PartyErrorDetail: Equatable, Sendable {
    /// `retry_after_ms` of `rate_limited`.
    case retryAfter(milliseconds: Int64)
    /// `party` of `resync_required`: the player's party now (null: none).
    indirect case resync(party: PartySnapshot?)
}
