/// One objective of a quest being shared (`quest.share`): its id and how many completions it needs.
public struct QuestObjective: Equatable, Sendable {
    public let objectiveID: String
    public let required: Int

    public init(objectiveID: String, required: Int) {
        self.objectiveID = objectiveID
        self.required = required
    }
}

/// An objective of a shared quest with the party's progress on it.
public struct QuestObjectiveProgress: Equatable, Sendable {
    public let objectiveID: String
    public let required: Int
    /// 0 up to `required`.
    public let progress: Int

    public init(objectiveID: String, required: Int, progress: Int) {
        self.objectiveID = objectiveID
        self.required = required
        self.progress = progress
    }
}

/// A quest a party shares: `party.quest_shared` and each entry of `PARTY.quests`.
public struct SharedQuestSnapshot: Equatable, Sendable {
    public let questID: String
    /// The member who shared it.
    public let by: String
    /// In the order they were shared.
    public let objectives: [QuestObjectiveProgress]

    public init(questID: String, by: String, objectives: [QuestObjectiveProgress]) {
        self.questID = questID
        self.by = by
        self.objectives = objectives
    }
}

/// The limits of shared quests (docs/PROTOCOL.md, "Shared quests"). The decoder refuses a
/// `quest.share` past them with `invalid_message`, and the hub checks them again.
public enum SharedQuestLimits {
    /// Quests one party may share at once.
    public static let maxQuestsPerParty = 25
    /// Objectives one quest may have.
    public static let maxObjectives = 20
    /// What an objective's `required` may be.
    public static let required = 1...1_000_000
    /// The length of a quest or objective id, in Unicode scalars.
    public static let idLength = 1...64

    /// Whether `id` is 1-64 Unicode scalars.
    public static func isValidID(_ id: String) -> Bool { TextLimit.count(of: id, isIn: idLength) }

    /// What is wrong with a quest to share, or nil: its id, the number of objectives, each
    /// objective's id and `required`, and objective ids repeated.
    public static func problem(questID: String, objectives: [QuestObjective]) -> String? {
        guard isValidID(questID) else { return "quest_id must be 1-\(idLength.upperBound) characters" }
        guard (1...maxObjectives).contains(objectives.count) else {
            return "a quest needs 1-\(maxObjectives) objectives"
        }
        var seen = Set<String>()
        for objective in objectives {
            guard isValidID(objective.objectiveID) else { return "objective_id must be 1-\(idLength.upperBound) characters" }
            guard required.contains(objective.required) else {
                return "required must be \(required.lowerBound)-\(required.upperBound)"
            }
            guard seen.insert(objective.objectiveID).inserted else {
                return "objective_id \"\(objective.objectiveID)\" is repeated"
            }
        }
        return nil
    }
}

/// Length checks on text from outside, in Unicode scalars, that stay cheap however long the text.
public enum TextLimit {
    /// Whether `text` has a number of Unicode scalars in `range`. The byte count bounds the
    /// work first: a scalar takes 1 to 4 bytes of UTF-8.
    public static func count(of text: String, isIn range: ClosedRange<Int>) -> Bool {
        let bytes = text.utf8.count
        if bytes < range.lowerBound { return false }
        if bytes <= range.upperBound { return range.contains(text.unicodeScalars.count) }
        if bytes > range.upperBound * 4 { return false }
        return range.contains(text.unicodeScalars.count)
    }
}
