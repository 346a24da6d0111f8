import Protocol

@testable import Realtime

/// The walk's organization requests: every endpoint, mostly from someone who belongs (so that
/// the rules are reached, not only `not_found`), with roles that change hands, codes typed in
/// lower case, bogus ids and codes, a service now and then, and seeds that are missing or
/// whose code a live group has.
extension HubRandomWalk {
    /// The players who take part in organizations: a few, so that they meet often.
    var organizationUsers: ArraySlice<String> { players.prefix(10) }

    func randomOrganizationRequest() -> (OrganizationRequest, OrganizationSeed?) {
        let directory = hub.organizations
        let organizationIDs = directory.organizations.keys.sorted()
        let users = Array(organizationUsers)
        let organization = organizationIDs.isEmpty || chance(4) ? "org-bogus" : pick(organizationIDs)
        let members = directory.organizations[organization]?.members.keys.sorted() ?? []
        var caller = OrganizationCaller(user: pick(users))
        if chance(8) {
            caller = OrganizationCaller(user: "tools", isService: true)
        } else if !members.isEmpty && chance(75) {
            caller = OrganizationCaller(user: pick(members))
        }
        let groupIDs = directory.organizations[organization]?.groupIDs ?? []
        let group = groupIDs.isEmpty || chance(4) ? "group-bogus" : pick(groupIDs)
        let groupMembers = directory.groups[group]?.members.keys.sorted() ?? []
        let target =
            !groupMembers.isEmpty && chance(50)
            ? pick(groupMembers) : !members.isEmpty && chance(60) ? pick(members) : pick(users)
        let operation: OrganizationOperation
        var seed: OrganizationSeed?
        switch random.next(below: 100) {
        case 0..<6:
            // A service must name the owner, a player may name only themself.
            let owner: String? = caller.isService ? (chance(50) ? nil : pick(users)) : chance(10) ? pick(users) : nil
            operation = .createOrganization(name: "Org \(organizationSeeds)", owner: owner)
            seed = randomOrganizationSeed()
        case 6..<22:
            operation = .setOrganizationMember(
                organization: organization, user: pick(users),
                role: chance(10) ? .owner : chance(30) ? .moderator : .member)
        case 22..<27:
            operation = .removeOrganizationMember(organization: organization, user: chance(30) ? caller.user : target)
        case 27..<36:
            operation = .createGroup(
                organization: organization, name: "Group \(organizationSeeds)", description: chance(50) ? nil : "é\n")
            seed = randomOrganizationSeed()
        case 36..<40:
            operation = .listGroups(organization: organization)
        case 40..<43:
            operation = .getGroup(id: group)
        case 43..<46:
            operation =
                chance(50) ? .getOrganization(id: organization) : .listOrganizationMembers(organization: organization)
        case 46..<49:
            operation = .listGroupMembers(group: group)
        case 49..<53:
            operation = .updateGroup(
                id: group, name: chance(50) ? nil : "Renamed",
                description: chance(30) ? .keep : .replace(with: chance(50) ? nil : "d"))
        case 53..<56:
            operation = .deleteGroup(id: group)
        case 56..<61:
            operation = .regenerateGroupCode(group: group)
            seed = randomOrganizationSeed()
        case 61..<66:
            operation = .removeGroupMember(group: group, user: chance(20) ? caller.user : target)
        case 66..<72:
            operation = .leaveGroup(group: group)
            if !groupMembers.isEmpty && chance(70) { caller = OrganizationCaller(user: pick(groupMembers)) }
        default:
            // A code of a group of the caller's organization, often typed in lower case; now
            // and then one of another organization's, or none at all.
            let anyGroup = directory.groups.keys.sorted()
            var code = "ZZZZZZZZ"
            if let id = !groupIDs.isEmpty && chance(85) ? pick(groupIDs) : anyGroup.isEmpty ? nil : pick(anyGroup),
                let live = directory.groups[id]?.inviteCode, chance(95)
            {
                code = chance(40) ? live.lowercased() : live
            }
            operation = .joinGroup(inviteCode: code)
        }
        return (OrganizationRequest(caller: caller, operation: operation), seed)
    }

    /// A fresh id and a code no live group has; sometimes none, sometimes a code in use.
    private func randomOrganizationSeed() -> OrganizationSeed? {
        if chance(3) { return nil }
        organizationSeeds += 1
        let id = "os-\(organizationSeeds)"
        if chance(3), let taken = hub.organizations.groupIDByCode.keys.sorted().first {
            return OrganizationSeed(id: id, inviteCode: taken)
        }
        var code: String
        repeat {
            code = InviteCode.make(
                indexes: (0..<InviteCode.length).map { _ in random.next(below: InviteCode.alphabet.count) })
        } while hub.isGroupInviteCodeInUse(code)
        return OrganizationSeed(id: id, inviteCode: code)
    }
}
