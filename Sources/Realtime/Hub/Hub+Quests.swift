import Protocol

/// Shared quests: a member shares a quest, members' completed objectives (reported by the
/// gameplay service) add up, and the quest is complete, and leaves the list, when every
/// objective has reached its `required`.
extension Hub {
    /// `quest.share`: any member shares a quest with the party.
    mutating func shareQuest(_ questID: String, objectives: [QuestObjective], by playerSlot: Int, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        // The decoder checked these; a command from elsewhere (a replayed log) is checked again.
        if let problem = SharedQuestLimits.problem(questID: questID, objectives: objectives) {
            throw PartyError(.invalidMessage, "quest.share: \(problem)")
        }
        if parties[partySlot].quests.contains(where: { $0.id == questID }) {
            throw PartyError(.alreadyShared, "the party already shares quest \(questID)")
        }
        guard parties[partySlot].quests.count < SharedQuestLimits.maxQuestsPerParty else {
            throw PartyError(
                .partyFull, "the party shares \(SharedQuestLimits.maxQuestsPerParty) quests; complete or abandon one first")
        }
        let quest = SharedQuest(
            id: questID, sharedBy: players[playerSlot].name,
            objectives: objectives.map { SharedQuest.Objective(id: $0.objectiveID, required: $0.required, progress: 0) })
        parties[partySlot].quests.append(quest)
        emit(.questShared(quest.snapshot), in: partySlot, into: &outputs)
        return .empty
    }

    /// `quest.abandon`: the member who shared the quest, or the leader, stops sharing it.
    mutating func abandonQuest(_ questID: String, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        guard let index = parties[partySlot].quests.firstIndex(where: { $0.id == questID }) else {
            throw PartyError(.notFound, "the party does not share quest \(questID)")
        }
        let name = players[playerSlot].name
        guard parties[partySlot].quests[index].sharedBy == name || parties[partySlot].leader == playerSlot else {
            throw PartyError(.notLeader, "only the member who shared quest \(questID) or the party leader may abandon it")
        }
        parties[partySlot].quests.remove(at: index)
        emit(.questAbandoned(questID: questID, by: name), in: partySlot, into: &outputs)
        return .empty
    }

    /// `quest:objective-completed` (already validated): adds `count` to the objective of the
    /// player's party, capped at `required`, and completes the quest when that was the last
    /// one missing. Ignored (with the reason) when it concerns nothing the hub holds.
    mutating func completeObjective(
        player: String, questID: String, objectiveID: String, count: Int, into outputs: inout [HubOutput]
    ) -> ServiceEventResult.Status {
        guard let playerSlot = playerSlotByName[player], let partySlot = players[playerSlot].party else {
            return .ignored(reason: "\(player) is in no party")
        }
        guard let questIndex = parties[partySlot].quests.firstIndex(where: { $0.id == questID }) else {
            return .ignored(reason: "the party of \(player) does not share quest \(questID)")
        }
        guard let objectiveIndex = parties[partySlot].quests[questIndex].objectives.firstIndex(where: { $0.id == objectiveID })
        else { return .ignored(reason: "quest \(questID) has no objective \(objectiveID)") }
        let objective = parties[partySlot].quests[questIndex].objectives[objectiveIndex]
        guard objective.progress < objective.required else {
            return .ignored(reason: "objective \(objectiveID) of quest \(questID) is already complete")
        }
        // No overflow: the sum is capped before it is made.
        let progress = objective.progress + min(count, objective.required - objective.progress)
        parties[partySlot].quests[questIndex].objectives[objectiveIndex].progress = progress
        emit(
            .questProgress(questID: questID, objectiveID: objectiveID, progress: progress, required: objective.required, by: player),
            in: partySlot, into: &outputs)
        if parties[partySlot].quests[questIndex].isComplete {
            parties[partySlot].quests.remove(at: questIndex)
            let members = parties[partySlot].members.map { players[$0].name }
            emit(.questCompleted(questID: questID, members: members), in: partySlot, into: &outputs)
            publish(.questCompleted(party: parties[partySlot].id, questID: questID, members: members), into: &outputs)
        }
        return .applied(rolls: nil)
    }
}
