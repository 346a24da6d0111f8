extension HubConfiguration {
    /// Every rule with a short name, in declaration order, as `data dump` prints a segment's
    /// pinned rules and `data check` the rules that changed (names after the serve flags where
    /// there is one; durations in ms).
    var namedSettings: [(name: String, value: String)] {
        [
            ("max_members", String(maxMembers)),
            ("max_party_size", String(maxPartySize)),
            ("max_chat_scalars", String(maxChatScalars)),
            ("chat_rate", InspectionText.number(chatRatePerSecond)),
            ("chat_burst", InspectionText.number(chatBurst)),
            ("signal_rate", InspectionText.number(signalRatePerSecond)),
            ("signal_burst", InspectionText.number(signalBurst)),
            ("command_rate", InspectionText.number(commandRatePerSecond)),
            ("command_burst", InspectionText.number(commandBurst)),
            ("invite_ttl_ms", String(inviteTTLMilliseconds)),
            ("reconnect_grace_ms", String(reconnectGraceMilliseconds)),
            ("ready_check_ms", String(readyCheckMilliseconds)),
            ("history", String(historySize)),
            ("idem_keys", String(idempotencyKeys)),
            ("loot_roll_timeout_ms", String(lootRollTimeoutMilliseconds)),
            ("max_invites_per_player", String(maxPendingInvitesPerPlayer)),
            ("max_sessions_per_player", String(maxSessionsPerPlayer)),
            ("offline_notice_delay_ms", String(offlineNoticeDelayMilliseconds)),
            ("party_create_rate", InspectionText.number(partyCreationsPerMinute)),
            ("party_create_burst", InspectionText.number(partyCreationBurst)),
        ]
    }

    /// `max_members=5 max_party_size=40 ...`.
    var settingsText: String {
        namedSettings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    /// The rules that differ from `earlier`, e.g. `["chat_rate 5 -> 0"]`.
    func changes(from earlier: HubConfiguration) -> [String] {
        zip(earlier.namedSettings, namedSettings).compactMap { old, new in
            old.value == new.value ? nil : "\(new.name) \(old.value) -> \(new.value)"
        }
    }
}
