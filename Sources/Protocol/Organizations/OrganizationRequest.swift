/// One request to the organizations and groups API, decoded from its method, path and body:
/// who asks, and what. The hub judges it against its rules.
public struct OrganizationRequest: Equatable, Sendable {
    /// Who signed it.
    public let caller: OrganizationCaller
    /// The endpoint and its values.
    public let operation: OrganizationOperation

    public init(caller: OrganizationCaller, operation: OrganizationOperation) {
        self.caller = caller
        self.operation = operation
    }
}
