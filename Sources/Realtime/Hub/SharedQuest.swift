import Protocol

/// A quest a party shares, with the party's progress on each objective.
struct SharedQuest: Equatable, Sendable {
    struct Objective: Equatable, Sendable {
        let id: String
        let required: Int
        /// 0 up to `required`.
        var progress: Int
    }

    let id: String
    /// The player who shared it (they may abandon it even after leaving the lead to others).
    let sharedBy: String
    /// In the order they were shared.
    var objectives: [Objective]

    /// Whether every objective has reached its `required`.
    var isComplete: Bool { objectives.allSatisfy { $0.progress >= $0.required } }

    /// As the wire shows it.
    var snapshot: SharedQuestSnapshot {
        SharedQuestSnapshot(
            questID: id, by: sharedBy,
            objectives: objectives.map { QuestObjectiveProgress(objectiveID: $0.id, required: $0.required, progress: $0.progress) })
    }
}
