import Protocol

/// Ready checks: the leader asks, members answer, and the result goes out when everyone has
/// answered or the time is up.
extension Hub {
    mutating func startReadyCheck(by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError) -> ReplyData {
        let partySlot = try leadersParty(playerSlot)
        if parties[partySlot].readyCheck != nil { throw PartyError(.readyCheckActive, "a ready check is already running") }
        parties[partySlot].readyCheckNumber += 1
        // Offline members (within their reconnect grace) cannot answer, so they are not asked.
        let asked = parties[partySlot].members.filter { players[$0].isOnline }
        // The leader who asks is ready.
        let check = ReadyCheck(
            number: parties[partySlot].readyCheckNumber, by: players[playerSlot].name,
            expiresAt: now + configuration.readyCheckMilliseconds, asked: asked,
            answers: asked.map { $0 == playerSlot ? true : nil })
        parties[partySlot].readyCheck = check
        deadlines.schedule(.endReadyCheck(partyID: parties[partySlot].id, number: check.number), at: check.expiresAt)
        emit(
            .readyCheckStarted(by: check.by, expiresAt: check.expiresAt, composition: compositionReport(partySlot)),
            in: partySlot, into: &outputs)
        concludeReadyCheckIfAnswered(partySlot, into: &outputs)
        return .empty
    }

    mutating func answerReadyCheck(_ ready: Bool, playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        guard let index = parties[partySlot].readyCheck?.asked.firstIndex(of: playerSlot) else {
            throw PartyError(.noReadyCheck, "no ready check is waiting for your answer")
        }
        parties[partySlot].readyCheck?.answers[index] = ready
        emit(.readyAnswered(player: players[playerSlot].name, ready: ready), in: partySlot, into: &outputs)
        concludeReadyCheckIfAnswered(partySlot, into: &outputs)
        return .empty
    }

    /// A member left during a check: they are no longer waited for.
    mutating func leftReadyCheck(_ playerSlot: Int, partySlot: Int, into outputs: inout [HubOutput]) {
        guard let index = parties[partySlot].readyCheck?.asked.firstIndex(of: playerSlot) else { return }
        parties[partySlot].readyCheck?.asked.remove(at: index)
        parties[partySlot].readyCheck?.answers.remove(at: index)
        concludeReadyCheckIfAnswered(partySlot, into: &outputs)
    }

    mutating func timeOutReadyCheck(partyID: String, number: UInt64, into outputs: inout [HubOutput]) {
        guard let partySlot = partySlotByID[partyID], parties[partySlot].readyCheck?.number == number else { return }
        concludeReadyCheck(partySlot, reason: .timeout, into: &outputs)
    }

    private mutating func concludeReadyCheckIfAnswered(_ partySlot: Int, into outputs: inout [HubOutput]) {
        guard let check = parties[partySlot].readyCheck, !check.answers.contains(where: { $0 == nil }) else { return }
        concludeReadyCheck(partySlot, reason: .answered, into: &outputs)
    }

    private mutating func concludeReadyCheck(_ partySlot: Int, reason: ReadyCheckEnd, into outputs: inout [HubOutput]) {
        guard let check = parties[partySlot].readyCheck else { return }
        parties[partySlot].readyCheck = nil
        // Every member asked may have left before the end: nobody answering is not everyone ready.
        let allReady = !check.answers.isEmpty && check.answers.allSatisfy { $0 == true }
        let result = ReadyCheckResult(
            answers: readyAnswers(check), allReady: allReady, reason: reason,
            composition: compositionReport(partySlot))
        emit(.readyCheckResult(result), in: partySlot, into: &outputs)
    }

    func readyAnswers(_ check: ReadyCheck) -> [ReadyAnswer] {
        zip(check.asked, check.answers).map { ReadyAnswer(player: players[$0].name, ready: $1) }
    }
}
