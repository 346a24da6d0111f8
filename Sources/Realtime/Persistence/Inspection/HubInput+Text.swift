import Protocol

extension HubInput {
    /// One line for `partyhub data dump`, without the time: the input and its values, e.g.
    /// `session.opened s=0001000000100001 player=alice` or
    /// `command s=0001000000100001 rid=3 idem=k1 party.chat text="hi"`. Names, codes and keys
    /// print as they are when plain, else quoted; free text is always quoted and escaped.
    var dumpText: String {
        switch self {
        case .sessionOpened(let session, let player, let readOnly, _):
            return "session.opened s=\(InspectionText.session(session)) player=\(InspectionText.word(player))"
                + (readOnly ? " read-only" : "")
        case .sessionClosed(let session, _):
            return "session.closed s=\(InspectionText.session(session))"
        case .command(let session, let request, _, let seed):
            var fields = ["command", "s=\(InspectionText.session(session))"]
            if let rid = request.rid { fields.append("rid=\(rid)") }
            if let idem = request.idem { fields.append("idem=\(InspectionText.word(idem))") }
            fields.append(request.command.operation.rawValue)
            fields += request.command.dumpFields
            if let seed {
                fields.append("seed=\(InspectionText.word(seed.id))/\(InspectionText.word(seed.inviteCode))")
            }
            return fields.joined(separator: " ")
        case .tick:
            return "tick"
        case .serviceEvents(let caller, let events, _, let lootSeeds):
            var fields = ["service.events", "s=\(InspectionText.session(caller))"]
            fields += events.map(\.dumpText)
            if !lootSeeds.isEmpty { fields.append("loot_seeds=\(lootSeeds.count)") }
            return fields.joined(separator: " ")
        case .organizationRequest(let caller, let request, _, let seed):
            var fields = [
                "organization.request", "s=\(InspectionText.session(caller))",
                "\(request.caller.isService ? "service" : "user")=\(InspectionText.word(request.caller.user))",
            ]
            fields += request.operation.dumpFields
            if let seed {
                fields.append("seed=\(InspectionText.word(seed.id))/\(InspectionText.word(seed.inviteCode))")
            }
            return fields.joined(separator: " ")
        case .adminDisband(let caller, let party, let reason, let by, _):
            return "admin.disband s=\(InspectionText.session(caller)) service=\(InspectionText.word(by)) "
                + "party=\(InspectionText.word(party)) reason=\(QuotedText.json(reason))"
        case .adminReadParty(let caller, let party, _):
            return "admin.read_party s=\(InspectionText.session(caller)) party=\(InspectionText.word(party))"
        case .adminReadPlayer(let caller, let player, _):
            return "admin.read_player s=\(InspectionText.session(caller)) player=\(InspectionText.word(player))"
        }
    }
}

extension OrganizationOperation {
    /// The endpoint's method and path with its parameters filled in, then the body's fields,
    /// e.g. `PUT /api/v1/organizations/o1/members/bob role=MODERATOR`.
    fileprivate var dumpFields: [String] {
        let word = InspectionText.word
        let quoted = QuotedText.json
        func optional(_ name: String, _ text: String?) -> [String] { text.map { ["\(name)=\(quoted($0))"] } ?? [] }
        switch self {
        case .createOrganization(let name, let owner):
            return ["POST", "/api/v1/organizations", "name=\(quoted(name))"] + (owner.map { ["owner=\(word($0))"] } ?? [])
        case .getOrganization(let id):
            return ["GET", "/api/v1/organizations/\(word(id))"]
        case .listOrganizationMembers(let id):
            return ["GET", "/api/v1/organizations/\(word(id))/members"]
        case .setOrganizationMember(let id, let user, let role):
            return ["PUT", "/api/v1/organizations/\(word(id))/members/\(word(user))", "role=\(role.rawValue)"]
        case .removeOrganizationMember(let id, let user):
            return ["DELETE", "/api/v1/organizations/\(word(id))/members/\(word(user))"]
        case .createGroup(let id, let name, let description):
            return ["POST", "/api/v1/organizations/\(word(id))/groups", "name=\(quoted(name))"] + optional("description", description)
        case .listGroups(let id):
            return ["GET", "/api/v1/organizations/\(word(id))/groups"]
        case .getGroup(let id):
            return ["GET", "/api/v1/groups/\(word(id))"]
        case .updateGroup(let id, let name, let description):
            var fields = ["PUT", "/api/v1/groups/\(word(id))"] + optional("name", name)
            if case .replace(let text) = description { fields.append("description=\(text.map(quoted) ?? "null")") }
            return fields
        case .deleteGroup(let id):
            return ["DELETE", "/api/v1/groups/\(word(id))"]
        case .regenerateGroupCode(let id):
            return ["POST", "/api/v1/groups/\(word(id))/regenerate-code"]
        case .listGroupMembers(let id):
            return ["GET", "/api/v1/groups/\(word(id))/members"]
        case .removeGroupMember(let id, let user):
            return ["DELETE", "/api/v1/groups/\(word(id))/members/\(word(user))"]
        case .leaveGroup(let id):
            return ["POST", "/api/v1/groups/\(word(id))/leave"]
        case .joinGroup(let code):
            return ["POST", "/api/v1/groups/join/\(word(code))"]
        }
    }
}

extension IncomingServiceEvent {
    /// `event_id=type(field=value ...)`.
    fileprivate var dumpText: String {
        let word = InspectionText.word
        let quoted = QuotedText.json
        let id = word(eventID)
        switch body {
        case .lootDropped(let party, let items, let source):
            let listed = items.map { "\(word($0.itemID)):\($0.quality.rawValue):\(quoted($0.name))" }.joined(separator: ",")
            return "\(id)=combat:loot-dropped(party=\(word(party)) source=\(quoted(source)) items=[\(listed)])"
        case .objectiveCompleted(let player, let questID, let objectiveID, let count):
            return "\(id)=quest:objective-completed(player=\(word(player)) quest_id=\(word(questID)) objective_id=\(word(objectiveID)) count=\(count))"
        case .invalid(let error):
            return "\(id)=invalid(\(error.code.rawValue))"
        }
    }
}

extension PartyCommand {
    /// The command's values as `name=value` fields, with the wire's names.
    fileprivate var dumpFields: [String] {
        let word = InspectionText.word
        let quoted = QuotedText.json
        switch self {
        case .create(let maxMembers, let lootMode):
            return [maxMembers.map { "max_members=\($0)" }, lootMode.map { "loot_mode=\($0.rawValue)" }].compactMap {
                $0
            }
        case .join(let inviteCode, let role):
            return ["invite_code=\(word(inviteCode))", role.map { "role=\($0.rawValue)" }].compactMap { $0 }
        case .leave, .get, .disband, .regenerateCode, .readyCheck:
            return []
        case .chat(let text):
            return ["text=\(quoted(text))"]
        case .kick(let player), .promote(let player), .invite(let player), .requestAccept(let player),
            .requestReject(let player):
            return ["player=\(word(player))"]
        case .setRole(let role):
            return ["role=\(role?.rawValue ?? "null")"]
        case .setLoot(let mode, let masterLooter, let threshold):
            return [
                "loot_mode=\(mode.rawValue)", masterLooter.map { "master_looter=\(word($0))" },
                threshold.map { "threshold=\($0.rawValue)" },
            ].compactMap { $0 }
        case .inviteAccept(let invite, let role):
            return ["invite=\(word(invite))", role.map { "role=\($0.rawValue)" }].compactMap { $0 }
        case .inviteDecline(let invite):
            return ["invite=\(word(invite))"]
        case .setOpen(let open):
            return ["open=\(open)"]
        case .setInvitePolicy(let policy):
            return ["policy=\(policy.rawValue)"]
        case .setComposition(let composition):
            guard let composition else { return ["composition=null"] }
            return ["composition=tank:\(composition.tank),healer:\(composition.healer),dps:\(composition.dps)"]
        case .signal(let kind, let data):
            return ["kind=\(quoted(kind))", "data=\(quoted(data))"]
        case .ready(let ready):
            return ["ready=\(ready)"]
        case .history(let beforeSeq, let limit):
            return [beforeSeq.map { "before_seq=\($0)" }, limit.map { "limit=\($0)" }].compactMap { $0 }
        case .resume(let party, let afterSeq):
            return ["party=\(word(party))", "after_seq=\(afterSeq)"]
        case .chooseLoot(let roll, let choice):
            return ["roll=\(word(roll))", "choice=\(choice.rawValue)"]
        case .assignLoot(let roll, let player):
            return ["roll=\(word(roll))", "player=\(word(player))"]
        case .claimLoot(let roll):
            return ["roll=\(word(roll))"]
        case .shareQuest(let questID, let objectives):
            let listed = objectives.map { "\(word($0.objectiveID)):\($0.required)" }.joined(separator: ",")
            return ["quest_id=\(word(questID))", "objectives=[\(listed)]"]
        case .abandonQuest(let questID):
            return ["quest_id=\(word(questID))"]
        }
    }
}
