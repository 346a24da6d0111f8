import Protocol

/// The tag of each `OrganizationOperation` case. Fixed numbers: never renumber or reuse one.
private enum OrganizationOperationTag: UInt8 {
    case createOrganization = 1
    case getOrganization = 2
    case listOrganizationMembers = 3
    case setOrganizationMember = 4
    case removeOrganizationMember = 5
    case createGroup = 6
    case listGroups = 7
    case getGroup = 8
    case updateGroup = 9
    case deleteGroup = 10
    case regenerateGroupCode = 11
    case listGroupMembers = 12
    case removeGroupMember = 13
    case leaveGroup = 14
    case joinGroup = 15
}

/// The tag of each `OrganizationRole`. Fixed numbers: never renumber or reuse one.
private enum OrganizationRoleTag: UInt8 {
    case owner = 1
    case moderator = 2
    case member = 3
}

extension OrganizationRole: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .owner: writer.writeTag(OrganizationRoleTag.owner)
        case .moderator: writer.writeTag(OrganizationRoleTag.moderator)
        case .member: writer.writeTag(OrganizationRoleTag.member)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(OrganizationRoleTag.self) {
        case .owner: self = .owner
        case .moderator: self = .moderator
        case .member: self = .member
        }
    }
}

/// The caller's user id and whether it is a service, then the operation.
extension OrganizationRequest: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(caller.user)
        writer.writeBool(caller.isService)
        writer.write(operation)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let caller = OrganizationCaller(user: try reader.readString(), isService: try reader.readBool())
        self.init(caller: caller, operation: try reader.read())
    }
}

/// The tag, then the case's values in order; an update's description is `optional (optional
/// string)`: absent keeps it, a present null clears it.
extension OrganizationOperation: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .createOrganization(let name, let owner):
            writer.writeTag(OrganizationOperationTag.createOrganization)
            writer.writeString(name)
            writer.write(owner)
        case .getOrganization(let id):
            writer.writeTag(OrganizationOperationTag.getOrganization)
            writer.writeString(id)
        case .listOrganizationMembers(let organization):
            writer.writeTag(OrganizationOperationTag.listOrganizationMembers)
            writer.writeString(organization)
        case .setOrganizationMember(let organization, let user, let role):
            writer.writeTag(OrganizationOperationTag.setOrganizationMember)
            writer.writeString(organization)
            writer.writeString(user)
            writer.write(role)
        case .removeOrganizationMember(let organization, let user):
            writer.writeTag(OrganizationOperationTag.removeOrganizationMember)
            writer.writeString(organization)
            writer.writeString(user)
        case .createGroup(let organization, let name, let description):
            writer.writeTag(OrganizationOperationTag.createGroup)
            writer.writeString(organization)
            writer.writeString(name)
            writer.write(description)
        case .listGroups(let organization):
            writer.writeTag(OrganizationOperationTag.listGroups)
            writer.writeString(organization)
        case .getGroup(let id):
            writer.writeTag(OrganizationOperationTag.getGroup)
            writer.writeString(id)
        case .updateGroup(let id, let name, let description):
            writer.writeTag(OrganizationOperationTag.updateGroup)
            writer.writeString(id)
            writer.write(name)
            switch description {
            case .keep: writer.writeBool(false)
            case .replace(let text):
                writer.writeBool(true)
                writer.write(text)
            }
        case .deleteGroup(let id):
            writer.writeTag(OrganizationOperationTag.deleteGroup)
            writer.writeString(id)
        case .regenerateGroupCode(let group):
            writer.writeTag(OrganizationOperationTag.regenerateGroupCode)
            writer.writeString(group)
        case .listGroupMembers(let group):
            writer.writeTag(OrganizationOperationTag.listGroupMembers)
            writer.writeString(group)
        case .removeGroupMember(let group, let user):
            writer.writeTag(OrganizationOperationTag.removeGroupMember)
            writer.writeString(group)
            writer.writeString(user)
        case .leaveGroup(let group):
            writer.writeTag(OrganizationOperationTag.leaveGroup)
            writer.writeString(group)
        case .joinGroup(let code):
            writer.writeTag(OrganizationOperationTag.joinGroup)
            writer.writeString(code)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(OrganizationOperationTag.self) {
        case .createOrganization:
            self = .createOrganization(name: try reader.readString(), owner: try reader.read())
        case .getOrganization:
            self = .getOrganization(id: try reader.readString())
        case .listOrganizationMembers:
            self = .listOrganizationMembers(organization: try reader.readString())
        case .setOrganizationMember:
            self = .setOrganizationMember(
                organization: try reader.readString(), user: try reader.readString(), role: try reader.read())
        case .removeOrganizationMember:
            self = .removeOrganizationMember(organization: try reader.readString(), user: try reader.readString())
        case .createGroup:
            self = .createGroup(
                organization: try reader.readString(), name: try reader.readString(), description: try reader.read())
        case .listGroups:
            self = .listGroups(organization: try reader.readString())
        case .getGroup:
            self = .getGroup(id: try reader.readString())
        case .updateGroup:
            let id = try reader.readString()
            let name: String? = try reader.read()
            let description: DescriptionUpdate = try reader.readBool() ? .replace(with: try reader.read()) : .keep
            self = .updateGroup(id: id, name: name, description: description)
        case .deleteGroup:
            self = .deleteGroup(id: try reader.readString())
        case .regenerateGroupCode:
            self = .regenerateGroupCode(group: try reader.readString())
        case .listGroupMembers:
            self = .listGroupMembers(group: try reader.readString())
        case .removeGroupMember:
            self = .removeGroupMember(group: try reader.readString(), user: try reader.readString())
        case .leaveGroup:
            self = .leaveGroup(group: try reader.readString())
        case .joinGroup:
            self = .joinGroup(inviteCode: try reader.readString())
        }
    }
}

/// The id, then the invite code.
extension OrganizationSeed: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(inviteCode)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(id: try reader.readString(), inviteCode: try reader.readString())
    }
}
