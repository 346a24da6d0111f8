/// One request to the organizations and groups API, decoded from its method, path and body:
/// who asks, and what. The hub judges it against its rules.
public struct OrganizationRequest: Equatable, Sendable {
    public let caller: OrganizationCaller
    public let operation: OrganizationOperation

    public init(caller: OrganizationCaller, operation: OrganizationOperation) {
        self.caller = caller
        self.operation = operation
    }
}
