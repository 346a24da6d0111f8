import Protocol

/// The organizations by id, the groups by id, then the code index (docs/CODEC.md).
extension OrganizationDirectory: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeDictionary(organizations)
        writer.writeDictionary(groups)
        writer.writeDictionary(groupIDByCode)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        self.init()
        organizations = try reader.readDictionary()
        groups = try reader.readDictionary()
        groupIDByCode = try reader.readDictionary()
        if let broken = firstInconsistency() { throw .inconsistent(broken, at: start) }
    }

    /// The first broken rule between the organizations, their groups and the code index,
    /// described; nil when there is none. A restored directory then never looks up what is not
    /// there: each organization has one OWNER, its `owner`; each group is listed once by its
    /// organization, which exists, and is found by its own code; every group member is a
    /// member of the organization.
    func firstInconsistency() -> String? {
        var listedGroups = 0
        for (id, organization) in organizations {
            if organization.id != id { return "organization \(id) is filed under another id" }
            let owners = organization.members.filter { $0.value.role == .owner }.map(\.key)
            if owners != [organization.owner] {
                return "organization \(id) has owners \(owners.sorted()), not \(organization.owner)"
            }
            if Set(organization.groupIDs).count != organization.groupIDs.count {
                return "organization \(id) lists a group twice"
            }
            for groupID in organization.groupIDs {
                guard let group = groups[groupID], group.organizationID == id else {
                    return "organization \(id) lists group \(groupID), which is not one of its groups"
                }
                if let outsider = group.members.keys.first(where: { organization.members[$0] == nil }) {
                    return "group \(groupID) has member \(outsider), who is not in organization \(id)"
                }
            }
            listedGroups += organization.groupIDs.count
        }
        if listedGroups != groups.count { return "\(groups.count) groups, but organizations list \(listedGroups)" }
        for (id, group) in groups {
            if group.id != id { return "group \(id) is filed under another id" }
            if groupIDByCode[group.inviteCode] != id {
                return "group \(id)'s code \(group.inviteCode) does not lead to it"
            }
        }
        if groupIDByCode.count != groups.count { return "\(groupIDByCode.count) codes for \(groups.count) groups" }
        return nil
    }
}

/// Its fields in declaration order; members by user id.
extension Organization: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(name)
        writer.writeString(owner)
        writer.writeVarInt(createdAt)
        writer.writeDictionary(members)
        writer.write(groupIDs)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            id: try reader.readString(), name: try reader.readString(), owner: try reader.readString(),
            createdAt: try reader.readVarInt(), members: try reader.readDictionary(), groupIDs: try reader.read())
    }
}

/// The role, then the time joined.
extension OrganizationMembership: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(role)
        writer.writeVarInt(joinedAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(role: try reader.read(), joinedAt: try reader.readVarInt())
    }
}

/// Its fields in declaration order; members by user id.
extension Group: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(organizationID)
        writer.writeString(name)
        writer.write(description)
        writer.writeString(inviteCode)
        writer.writeString(codeIssuedBy)
        writer.writeString(createdBy)
        writer.writeVarInt(createdAt)
        writer.writeVarInt(updatedAt)
        writer.writeDictionary(members)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            id: try reader.readString(), organizationID: try reader.readString(), name: try reader.readString(),
            description: try reader.read(), inviteCode: try reader.readString(), codeIssuedBy: try reader.readString(),
            createdBy: try reader.readString(), createdAt: try reader.readVarInt(), updatedAt: try reader.readVarInt(),
            members: try reader.readDictionary())
    }
}

/// Who issued the code, then the time joined.
extension GroupMembership: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(invitedBy)
        writer.writeVarInt(joinedAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(invitedBy: try reader.readString(), joinedAt: try reader.readVarInt())
    }
}
