extension PublishedEvent.Kind {
    /// The fields of a group event as a JSON object, e.g. `{"group":"…","organization":"…",
    /// "user":"bob","by":"alice","reason":"removed"}`, appended to `writer`; false (and
    /// nothing appended) for the other kinds. The event stream's encoder calls it for the
    /// `group.*` types, so that their fields are written in one place.
    public func appendGroupFields(to writer: ByteWriter) -> Bool {
        switch self {
        case .groupCreated(let group, let organization, let name, let by):
            appendGroupAndOrganization(group, organization, writer)
            appendField("name", name, writer)
            appendField("by", by, writer)
        case .groupMemberAdded(let group, let organization, let user, let invitedBy):
            appendGroupAndOrganization(group, organization, writer)
            appendField("user", user, writer)
            appendField("invited_by", invitedBy, writer)
        case .groupMemberRemoved(let group, let organization, let user, let by, let reason):
            appendGroupAndOrganization(group, organization, writer)
            appendField("user", user, writer)
            appendField("by", by, writer)
            appendField("reason", reason.rawValue, writer)
        case .groupDeleted(let group, let organization, let by):
            appendGroupAndOrganization(group, organization, writer)
            appendField("by", by, writer)
        default:
            return false
        }
        writer.append("}")
        return true
    }

    private func appendGroupAndOrganization(_ group: String, _ organization: String, _ writer: ByteWriter) {
        writer.append("{\"group\":")
        writer.appendJSONString(group)
        appendField("organization", organization, writer)
    }

    private func appendField(_ name: StaticString, _ value: String, _ writer: ByteWriter) {
        writer.append(",\"")
        writer.append(name)
        writer.append("\":")
        writer.appendJSONString(value)
    }
}
