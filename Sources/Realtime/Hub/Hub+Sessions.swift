extension Hub {
    /// Every session the hub holds, in id order. After a restart none of them has a connection
    /// any more: recovery closes each (a logged `sessionClosed`), which starts the reconnect
    /// grace of their members.
    public var openSessions: [SessionID] { playerSlotBySession.keys.sorted() }
}
