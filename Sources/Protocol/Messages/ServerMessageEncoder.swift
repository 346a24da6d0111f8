/// Encodes server messages as JSON text frames, straight into a `ByteWriter`: the JSON goes
/// after room reserved for the largest frame header, and the header is then written just
/// before it, so a message is framed without a copy.
public enum ServerMessageEncoder {
    /// Encodes `message` as one complete text frame and returns its bytes (valid until the
    /// writer is next used).
    public static func encodeFrame(_ message: ServerMessage, into writer: ByteWriter) -> UnsafeRawBufferPointer {
        writer.reset(reserving: WebSocketFrameEncoder.maxServerHeaderLength)
        encodeJSON(message, into: writer)
        return finishTextFrame(writer)
    }

    /// Frames the JSON written after the reserved header room.
    public static func finishTextFrame(_ writer: ByteWriter) -> UnsafeRawBufferPointer {
        WebSocketFrameEncoder.finishFrame(in: writer, opcode: .text)
    }

    /// The JSON text of `message` alone (for tests and documentation).
    public static func json(_ message: ServerMessage) -> String {
        let writer = ByteWriter(capacity: 256)
        encodeJSON(message, into: writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Appends the JSON of `message` to `writer`.
    public static func encodeJSON(_ message: ServerMessage, into writer: ByteWriter) {
        switch message {
        case .sessionReady(let player, let party, let invites):
            writer.append("{\"ev\":\"session.ready\",\"player\":")
            writer.appendJSONString(player)
            writer.append(",\"party\":")
            if let party { encodeParty(party, into: writer) } else { writer.append("null") }
            writer.append(",\"invites\":[")
            for (index, invite) in invites.enumerated() {
                if index > 0 { writer.append(",") }
                encodeInvite(invite, into: writer)
            }
            writer.append("]}")
        case .reply(let rid, let result):
            writer.append("{\"rid\":")
            if let rid { writer.append(decimal: rid) } else { writer.append("null") }
            switch result {
            case .success(.empty):
                writer.append(",\"ok\":true}")
            case .success(let data):
                writer.append(",\"ok\":true,\"data\":")
                encodeReplyData(data, into: writer)
                writer.append("}")
            case .failure(let error):
                writer.append(",\"ok\":false,\"error\":{\"code\":")
                writer.appendJSONString(error.code.rawValue)
                appendString(",\"message\":", error.message, writer)
                switch error.detail {
                case nil: break
                case .retryAfter(let milliseconds):
                    writer.append(",\"retry_after_ms\":")
                    writer.append(decimal: milliseconds)
                case .resync(let party):
                    writer.append(",\"party\":")
                    if let party { encodeParty(party, into: writer) } else { writer.append("null") }
                }
                writer.append("}}")
            }
        case .event(let event):
            encodeEvent(event, into: writer)
        case .notice(let notice):
            encodeNotice(notice, into: writer)
        }
    }

    private static func encodeReplyData(_ data: ReplyData, into writer: ByteWriter) {
        switch data {
        case .empty:
            writer.append("{}")  // replies leave `data` out instead (above); kept for completeness
        case .party(let party):
            writer.append("{\"party\":")
            encodeParty(party, into: writer)
            writer.append("}")
        case .invite(let invite):
            writer.append("{\"invite\":")
            encodeInvite(invite, into: writer)
            writer.append("}")
        case .joinRequest(let request):
            writer.append("{\"request\":")
            encodeRequest(request, into: writer)
            writer.append("}")
        case .inviteCode(let code):
            writer.append("{\"invite_code\":")
            writer.appendJSONString(code)
            writer.append("}")
        case .events(let events):
            writer.append("{\"events\":[")
            for (index, event) in events.enumerated() {
                if index > 0 { writer.append(",") }
                encodeEvent(event, into: writer)
            }
            writer.append("]}")
        case .resumed(let replayed, let seq):
            writer.append("{\"replayed\":")
            writer.append(decimal: Int64(replayed))
            writer.append(",\"seq\":")
            writer.append(decimal: Int64(truncatingIfNeeded: seq))
            writer.append("}")
        }
    }

    private static func encodeNotice(_ notice: PlayerNotice, into writer: ByteWriter) {
        switch notice {
        case .invited(let invite):
            writer.append("{\"ev\":\"party.invited\",\"invite\":")
            encodeInvite(invite, into: writer)
        case .inviteCancelled(let invite, let party, let reason):
            writer.append("{\"ev\":\"party.invite_cancelled\",\"party\":")
            writer.appendJSONString(party)
            appendString(",\"invite\":", invite, writer)
            appendString(",\"reason\":", reason.rawValue, writer)
        case .joinRejected(let party, let reason):
            writer.append("{\"ev\":\"party.join_rejected\",\"party\":")
            writer.appendJSONString(party)
            appendString(",\"reason\":", reason.rawValue, writer)
        case .joinAccepted(let party):
            writer.append("{\"ev\":\"party.join_accepted\",\"party\":")
            encodeParty(party, into: writer)
        }
        writer.append("}")
    }

    private static func encodeEvent(_ event: PartyEvent, into writer: ByteWriter) {
        switch event.body {
        case .memberJoined(let player):
            startEvent("{\"ev\":\"party.member_joined\"", event, writer)
            appendString(",\"player\":", player, writer)
        case .memberLeft(let player, let reason):
            startEvent("{\"ev\":\"party.member_left\"", event, writer)
            appendString(",\"player\":", player, writer)
            appendString(",\"reason\":", reason.rawValue, writer)
        case .leaderChanged(let leader):
            startEvent("{\"ev\":\"party.leader_changed\"", event, writer)
            appendString(",\"leader\":", leader, writer)
        case .disbanded(let by):
            startEvent("{\"ev\":\"party.disbanded\"", event, writer)
            appendString(",\"by\":", by, writer)
        case .roleChanged(let player, let role):
            startEvent("{\"ev\":\"party.role_changed\"", event, writer)
            appendString(",\"player\":", player, writer)
            writer.append(",\"role\":")
            appendRole(role, writer)
        case .lootChanged(let mode, let masterLooter, let threshold):
            startEvent("{\"ev\":\"party.loot_changed\"", event, writer)
            appendLoot(mode, masterLooter, threshold, writer)
        case .inviteSent(let invite, let player, let by, let expiresAt):
            startEvent("{\"ev\":\"party.invite_sent\"", event, writer)
            appendInviteFields(invite, player, by, writer)
            writer.append(",\"expires_at\":")
            writer.append(decimal: expiresAt)
        case .inviteDeclined(let invite, let player, let by):
            startEvent("{\"ev\":\"party.invite_declined\"", event, writer)
            appendInviteFields(invite, player, by, writer)
        case .inviteExpired(let invite, let player, let by):
            startEvent("{\"ev\":\"party.invite_expired\"", event, writer)
            appendInviteFields(invite, player, by, writer)
        case .joinRequested(let request):
            startEvent("{\"ev\":\"party.join_requested\"", event, writer)
            appendString(",\"player\":", request.player, writer)
            writer.append(",\"role\":")
            appendRole(request.role, writer)
            writer.append(",\"expires_at\":")
            writer.append(decimal: request.expiresAt)
        case .joinRejected(let player, let reason):
            startEvent("{\"ev\":\"party.join_rejected\"", event, writer)
            appendString(",\"player\":", player, writer)
            appendString(",\"reason\":", reason.rawValue, writer)
        case .codeChanged(let code):
            startEvent("{\"ev\":\"party.code_changed\"", event, writer)
            appendString(",\"invite_code\":", code, writer)
        case .settingsChanged(let settings):
            startEvent("{\"ev\":\"party.settings_changed\"", event, writer)
            appendSettings(settings, writer)
        case .signal(let from, let kind, let data):
            startEvent("{\"ev\":\"party.signal\"", event, writer)
            appendString(",\"from\":", from, writer)
            appendString(",\"kind\":", kind, writer)
            // Already checked JSON (the decoder validated it), relayed as the client sent it.
            writer.append(",\"data\":")
            writer.append(utf8: data)
        case .readyCheckStarted(let by, let expiresAt, let composition):
            startEvent("{\"ev\":\"party.ready_check_started\"", event, writer)
            appendString(",\"by\":", by, writer)
            writer.append(",\"expires_at\":")
            writer.append(decimal: expiresAt)
            writer.append(",\"composition\":")
            encodeCompositionReport(composition, writer)
        case .readyAnswered(let player, let ready):
            startEvent("{\"ev\":\"party.ready_answered\"", event, writer)
            appendString(",\"player\":", player, writer)
            writer.append(ready ? ",\"ready\":true" : ",\"ready\":false")
        case .readyCheckResult(let result):
            startEvent("{\"ev\":\"party.ready_check_result\"", event, writer)
            appendString(",\"reason\":", result.reason.rawValue, writer)
            writer.append(result.allReady ? ",\"all_ready\":true" : ",\"all_ready\":false")
            writer.append(",\"answers\":")
            appendAnswers(result.answers, writer)
            writer.append(",\"composition\":")
            encodeCompositionReport(result.composition, writer)
        case .memberOffline(let player):
            startEvent("{\"ev\":\"party.member_offline\"", event, writer)
            appendString(",\"player\":", player, writer)
        case .memberOnline(let player):
            startEvent("{\"ev\":\"party.member_online\"", event, writer)
            appendString(",\"player\":", player, writer)
        case .lootRollStarted(let roll):
            startEvent("{\"ev\":\"party.loot_roll_started\"", event, writer)
            appendOpenRollFields(roll, writer)
        case .lootChosen(let roll, let player, let choice):
            startEvent("{\"ev\":\"party.loot_chosen\"", event, writer)
            appendString(",\"roll\":", roll, writer)
            appendString(",\"player\":", player, writer)
            appendString(",\"choice\":", choice.rawValue, writer)
        case .lootRolled(let outcome):
            startEvent("{\"ev\":\"party.loot_rolled\"", event, writer)
            appendOutcomeFields(outcome, writer)
        case .questShared(let quest):
            startEvent("{\"ev\":\"party.quest_shared\"", event, writer)
            appendQuestFields(quest, writer)
        case .questAbandoned(let questID, let by):
            startEvent("{\"ev\":\"party.quest_abandoned\"", event, writer)
            appendString(",\"quest_id\":", questID, writer)
            appendString(",\"by\":", by, writer)
        case .questProgress(let questID, let objectiveID, let progress, let required, let by):
            startEvent("{\"ev\":\"party.quest_progress\"", event, writer)
            appendString(",\"quest_id\":", questID, writer)
            appendString(",\"objective_id\":", objectiveID, writer)
            writer.append(",\"progress\":")
            writer.append(decimal: Int64(progress))
            writer.append(",\"required\":")
            writer.append(decimal: Int64(required))
            appendString(",\"by\":", by, writer)
        case .questCompleted(let questID, let members):
            startEvent("{\"ev\":\"party.quest_completed\"", event, writer)
            appendString(",\"quest_id\":", questID, writer)
            writer.append(",\"members\":")
            appendStrings(members, writer)
        case .chat(let from, let text, let timestamp):
            startEvent("{\"ev\":\"party.chat\"", event, writer)
            appendString(",\"from\":", from, writer)
            appendString(",\"text\":", text, writer)
            writer.append(",\"ts\":")
            writer.append(decimal: timestamp)
        }
        writer.append("}")
    }

    /// The opening `{"ev":"NAME"` (given whole, one copy) and the event's `party` and `seq`;
    /// the caller closes the object.
    @inline(__always)
    private static func startEvent(_ opening: StaticString, _ event: PartyEvent, _ writer: ByteWriter) {
        writer.append(opening)
        appendPartyAndSeq(event, writer)
    }

    /// One string member, `name` being its `,"key":` prefix.
    private static func appendString(_ name: StaticString, _ value: String, _ writer: ByteWriter) {
        writer.append(name)
        writer.appendJSONString(value)
    }

    private static func appendPartyAndSeq(_ event: PartyEvent, _ writer: ByteWriter) {
        appendString(",\"party\":", event.partyID, writer)
        writer.append(",\"seq\":")
        writer.append(decimal: Int64(truncatingIfNeeded: event.seq))
    }

    /// Who a `PARTY` is for: a member sees all of it; an outsider (an invitee) sees neither
    /// the party's pending invites and join requests nor its ready check, loot rolls and quests.
    private enum PartyView {
        case member, outsider
    }

    /// A `PARTY` as a member sees it (all of it), alone: the admin API's party.
    public static func encodePartyObject(_ party: PartySnapshot, into writer: ByteWriter) {
        encodeParty(party, into: writer, view: .member)
    }

    private static func encodeParty(_ party: PartySnapshot, into writer: ByteWriter, view: PartyView = .member) {
        writer.append("{\"id\":")
        writer.appendJSONString(party.id)
        appendString(",\"invite_code\":", party.inviteCode, writer)
        appendString(",\"leader\":", party.leader, writer)
        writer.append(",\"members\":[")
        for (index, member) in party.members.enumerated() {
            if index > 0 { writer.append(",") }
            writer.appendJSONString(member)
        }
        writer.append("],\"max_members\":")
        writer.append(decimal: Int64(party.maxMembers))
        writer.append(",\"seq\":")
        writer.append(decimal: Int64(truncatingIfNeeded: party.seq))
        writer.append(",\"created_at\":")
        writer.append(decimal: party.createdAt)
        writer.append(",\"updated_at\":")
        writer.append(decimal: party.updatedAt)
        appendString(",\"status\":", party.status, writer)
        appendLoot(party.lootMode, party.masterLooter, party.lootThreshold, writer)
        appendSettings(party.settings, writer)
        if view == .outsider {
            appendRoster(party.roster, writer)
            writer.append("}")
            return
        }
        writer.append(",\"invites\":[")
        for (index, invite) in party.invites.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append("{\"id\":")
            writer.appendJSONString(invite.id)
            appendString(",\"player\":", invite.player, writer)
            appendString(",\"by\":", invite.by, writer)
            writer.append(",\"expires_at\":")
            writer.append(decimal: invite.expiresAt)
            writer.append("}")
        }
        writer.append("],\"requests\":[")
        for (index, request) in party.requests.enumerated() {
            if index > 0 { writer.append(",") }
            encodeRequest(request, into: writer)
        }
        writer.append("],\"ready_check\":")
        if let check = party.readyCheck {
            writer.append("{\"by\":")
            writer.appendJSONString(check.by)
            writer.append(",\"expires_at\":")
            writer.append(decimal: check.expiresAt)
            writer.append(",\"answers\":")
            appendAnswers(check.answers, writer)
            writer.append("}")
        } else {
            writer.append("null")
        }
        appendRoster(party.roster, writer)
        writer.append(",\"loot_rolls\":[")
        for (index, roll) in party.lootRolls.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append("{")
            appendOpenRollFields(roll, writer, leadingComma: false)
            writer.append(",\"choices\":")
            appendChoices(roll.choices, writer)
            writer.append("}")
        }
        writer.append("],\"quests\":[")
        for (index, quest) in party.quests.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append("{")
            appendQuestFields(quest, writer, leadingComma: false)
            writer.append("}")
        }
        writer.append("]}")
    }

    /// `,"roster":[...]`.
    private static func appendRoster(_ roster: [PartyMemberSnapshot], _ writer: ByteWriter) {
        writer.append(",\"roster\":[")
        for (index, member) in roster.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append("{\"player\":")
            writer.appendJSONString(member.player)
            writer.append(",\"role\":")
            appendRole(member.role, writer)
            writer.append(member.online ? ",\"online\":true,\"joined_at\":" : ",\"online\":false,\"joined_at\":")
            writer.append(decimal: member.joinedAt)
            writer.append("}")
        }
        writer.append("]")
    }

    private static func encodeInvite(_ invite: InviteSnapshot, into writer: ByteWriter) {
        writer.append("{\"id\":")
        writer.appendJSONString(invite.id)
        writer.append(",\"party\":")
        // The invitee is not a member: the outsider view.
        encodeParty(invite.party, into: writer, view: .outsider)
        appendString(",\"player\":", invite.player, writer)
        appendString(",\"by\":", invite.by, writer)
        writer.append(",\"expires_at\":")
        writer.append(decimal: invite.expiresAt)
        writer.append("}")
    }

    private static func encodeRequest(_ request: JoinRequestSnapshot, into writer: ByteWriter) {
        writer.append("{\"party\":")
        writer.appendJSONString(request.party)
        appendString(",\"player\":", request.player, writer)
        writer.append(",\"role\":")
        appendRole(request.role, writer)
        writer.append(",\"expires_at\":")
        writer.append(decimal: request.expiresAt)
        writer.append("}")
    }

    private static func appendInviteFields(_ invite: String, _ player: String, _ by: String, _ writer: ByteWriter) {
        appendString(",\"invite\":", invite, writer)
        appendString(",\"player\":", player, writer)
        appendString(",\"by\":", by, writer)
    }

    private static func appendSettings(_ settings: PartySettings, _ writer: ByteWriter) {
        writer.append(settings.open ? ",\"open\":true" : ",\"open\":false")
        appendString(",\"invite_policy\":", settings.invitePolicy.rawValue, writer)
        writer.append(",\"composition\":")
        if let composition = settings.composition { appendComposition(composition, writer) } else { writer.append("null") }
    }

    private static func appendComposition(_ composition: Composition, _ writer: ByteWriter) {
        writer.append("{\"tank\":")
        writer.append(decimal: Int64(composition.tank))
        writer.append(",\"healer\":")
        writer.append(decimal: Int64(composition.healer))
        writer.append(",\"dps\":")
        writer.append(decimal: Int64(composition.dps))
        writer.append("}")
    }

    private static func encodeCompositionReport(_ report: CompositionReport, _ writer: ByteWriter) {
        writer.append("{\"slots\":")
        if let slots = report.slots { appendComposition(slots, writer) } else { writer.append("null") }
        writer.append(",\"filled\":")
        appendComposition(report.filled, writer)
        writer.append(",\"unassigned\":")
        writer.append(decimal: Int64(report.unassigned))
        writer.append(report.isComplete ? ",\"complete\":true}" : ",\"complete\":false}")
    }

    private static func appendAnswers(_ answers: [ReadyAnswer], _ writer: ByteWriter) {
        writer.append("[")
        for (index, answer) in answers.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append("{\"player\":")
            writer.appendJSONString(answer.player)
            switch answer.ready {
            case true?: writer.append(",\"ready\":true}")
            case false?: writer.append(",\"ready\":false}")
            case nil: writer.append(",\"ready\":null}")
            }
        }
        writer.append("]")
    }

    private static func appendLoot(_ mode: LootMode, _ masterLooter: String?, _ threshold: ItemQuality, _ writer: ByteWriter) {
        appendString(",\"loot_mode\":", mode.rawValue, writer)
        writer.append(",\"master_looter\":")
        if let masterLooter { writer.appendJSONString(masterLooter) } else { writer.append("null") }
        appendString(",\"loot_threshold\":", threshold.rawValue, writer)
    }

    // MARK: Loot and quests

    /// `"roll","item","mode","eligible","expires_at","commitment"` of an open roll.
    private static func appendOpenRollFields(_ roll: LootRollSnapshot, _ writer: ByteWriter, leadingComma: Bool = true) {
        writer.append(leadingComma ? ",\"roll\":" : "\"roll\":")
        writer.appendJSONString(roll.roll)
        writer.append(",\"item\":")
        appendItem(roll.item, writer)
        appendString(",\"mode\":", roll.mode.rawValue, writer)
        writer.append(",\"eligible\":")
        appendStrings(roll.eligible, writer)
        writer.append(",\"expires_at\":")
        writer.append(decimal: roll.expiresAt)
        appendString(",\"commitment\":", roll.commitment, writer)
    }

    private static func appendOutcomeFields(_ outcome: LootRollOutcome, _ writer: ByteWriter) {
        appendString(",\"roll\":", outcome.roll, writer)
        writer.append(",\"item\":")
        appendItem(outcome.item, writer)
        appendString(",\"mode\":", outcome.mode.rawValue, writer)
        writer.append(",\"winner\":")
        if let winner = outcome.winner { writer.appendJSONString(winner) } else { writer.append("null") }
        appendString(",\"reason\":", outcome.reason.rawValue, writer)
        writer.append(",\"choices\":")
        appendChoices(outcome.choices, writer)
        writer.append(",\"rolls\":{")
        for (index, contender) in outcome.rolls.enumerated() {
            if index > 0 { writer.append(",") }
            writer.appendJSONString(contender.player)
            writer.append(":[")
            for (round, value) in contender.values.enumerated() {
                if round > 0 { writer.append(",") }
                writer.append(decimal: Int64(value))
            }
            writer.append("]")
        }
        writer.append("}")
        appendString(",\"seed\":", outcome.seed, writer)
        appendString(",\"commitment\":", outcome.commitment, writer)
    }

    private static func appendItem(_ item: DroppedItem, _ writer: ByteWriter) {
        writer.append("{\"item_id\":")
        writer.appendJSONString(item.itemID)
        appendString(",\"name\":", item.name, writer)
        appendString(",\"quality\":", item.quality.rawValue, writer)
        writer.append("}")
    }

    /// `{"player":"choice",...}`, in the order given.
    private static func appendChoices(_ choices: [PlayerLootChoice], _ writer: ByteWriter) {
        writer.append("{")
        for (index, choice) in choices.enumerated() {
            if index > 0 { writer.append(",") }
            writer.appendJSONString(choice.player)
            writer.append(":")
            writer.appendJSONString(choice.choice.rawValue)
        }
        writer.append("}")
    }

    /// `"quest_id","by","objectives"` of a shared quest.
    private static func appendQuestFields(_ quest: SharedQuestSnapshot, _ writer: ByteWriter, leadingComma: Bool = true) {
        writer.append(leadingComma ? ",\"quest_id\":" : "\"quest_id\":")
        writer.appendJSONString(quest.questID)
        appendString(",\"by\":", quest.by, writer)
        writer.append(",\"objectives\":[")
        for (index, objective) in quest.objectives.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append("{\"objective_id\":")
            writer.appendJSONString(objective.objectiveID)
            writer.append(",\"required\":")
            writer.append(decimal: Int64(objective.required))
            writer.append(",\"progress\":")
            writer.append(decimal: Int64(objective.progress))
            writer.append("}")
        }
        writer.append("]")
    }

    private static func appendStrings(_ strings: [String], _ writer: ByteWriter) {
        writer.append("[")
        for (index, string) in strings.enumerated() {
            if index > 0 { writer.append(",") }
            writer.appendJSONString(string)
        }
        writer.append("]")
    }

    private static func appendRole(_ role: PartyRole?, _ writer: ByteWriter) {
        if let role { writer.appendJSONString(role.rawValue) } else { writer.append("null") }
    }
}
