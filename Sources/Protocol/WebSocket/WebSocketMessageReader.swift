/// The receiving half of RFC 6455 for a server, as a value-type state machine: fed the
/// unread bytes of a connection, it returns one event at a time and how many bytes that
/// event consumed. It unmasks payloads in place and hands single-frame messages back as a
/// range of the caller's own buffer, so the common message is never copied.
///
/// Every rule is checked as early as the bytes allow: header errors on the first two bytes,
/// the size limit from the length field before any payload is buffered (1009), and UTF-8 as
/// each piece of a text payload arrives, even before its frame is complete (1007).
public struct WebSocketMessageReader: Sendable {
    /// What one call to `read` found.
    public enum Event: Equatable, Sendable {
        /// Nothing complete yet; keep the unread bytes and call again when more arrive.
        case needMoreData
        /// A non-final fragment was taken into the message being assembled; call again.
        case fragmentAssembled
        /// A complete text or binary message. Its payload is `payload` of the input buffer or,
        /// for a fragmented message, `assembledMessage`.
        case message(WebSocketOpcode, WebSocketMessagePayload)
        /// A ping; answer it with a pong carrying the same bytes (§5.5.2).
        case ping(Range<Int>)
        /// A pong (unsolicited ones are allowed, §5.5.3).
        case pong(Range<Int>)
        /// A valid close frame: its code (nil when the payload was empty) and reason bytes.
        case close(code: WebSocketCloseCode?, reason: Range<Int>)
        /// The peer broke a rule: close with this code; read nothing more.
        case violation(WebSocketCloseCode, reason: String)
    }

    /// The frame header being received.
    private struct FrameHeader: Sendable {
        var fin: Bool
        var opcode: WebSocketOpcode
        var maskKey: UInt32
        var headerLength: Int
        var payloadLength: Int
    }

    /// The largest message (sum of its fragments) accepted; larger ones get 1009.
    public let maxMessageBytes: Int
    private var header: FrameHeader?
    private var payloadProcessed = 0
    private var messageOpcode: WebSocketOpcode?
    private var messageLength = 0
    private var textValidator = UTF8Validator()
    /// The fragments of the message in progress; valid after a `.message(_, .assembled)` event
    /// until the next call to `read`.
    public private(set) var assembledMessage: [UInt8] = []
    private var clearAssembledBeforeNextRead = false

    /// A reader refusing messages over `maxMessageBytes`.
    public init(maxMessageBytes: Int) {
        precondition(maxMessageBytes >= 125, "the limit must at least admit a control frame's payload")
        self.maxMessageBytes = maxMessageBytes
    }

    /// Reads the next event from `input`, the connection's unread bytes. The caller drops the
    /// first `consumed` bytes once it has handled the event; ranges in the event index `input`.
    public mutating func read(_ input: UnsafeMutableRawBufferPointer) -> (event: Event, consumed: Int) {
        if clearAssembledBeforeNextRead {
            clearAssembledBeforeNextRead = false
            if assembledMessage.capacity > 1 << 16 {
                assembledMessage = []
            } else {
                assembledMessage.removeAll(keepingCapacity: true)
            }
        }
        if header == nil {
            switch parseHeader(input) {
            case .parsed(let parsed): header = parsed
            case .needMoreData: return (.needMoreData, 0)
            case .violation(let code, let reason): return (.violation(code, reason: reason), 0)
            }
        }
        guard let frame = header, let base = input.baseAddress else { return (.needMoreData, 0) }

        let available = min(input.count - frame.headerLength, frame.payloadLength)
        if available > payloadProcessed {
            let start = base + frame.headerLength + payloadProcessed
            let count = available - payloadProcessed
            WebSocketMasking.unmask(start, count: count, key: frame.maskKey, phase: payloadProcessed)
            if carriesText(frame) && !textValidator.validate(UnsafeRawBufferPointer(start: start, count: count)) {
                return (.violation(.invalidPayloadData, reason: "text is not valid UTF-8"), 0)
            }
            payloadProcessed = available
        }
        if available < frame.payloadLength { return (.needMoreData, 0) }

        header = nil
        payloadProcessed = 0
        let payload = frame.headerLength..<(frame.headerLength + frame.payloadLength)
        let consumed = payload.upperBound
        switch frame.opcode {
        case .ping:
            return (.ping(payload), consumed)
        case .pong:
            return (.pong(payload), consumed)
        case .close:
            return (closeEvent(UnsafeRawBufferPointer(rebasing: input[payload]), payload: payload), consumed)
        case .text, .binary:
            if frame.fin {
                if frame.opcode == .text && !finishText() {
                    return (.violation(.invalidPayloadData, reason: "text ends inside a UTF-8 sequence"), 0)
                }
                return (.message(frame.opcode, .input(payload)), consumed)
            }
            messageOpcode = frame.opcode
            messageLength = frame.payloadLength
            assembledMessage.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[payload]))
            return (.fragmentAssembled, consumed)
        case .continuation:
            assembledMessage.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[payload]))
            messageLength += frame.payloadLength
            guard frame.fin, let opcode = messageOpcode else { return (.fragmentAssembled, consumed) }
            messageOpcode = nil
            messageLength = 0
            clearAssembledBeforeNextRead = true
            if opcode == .text && !finishText() {
                return (.violation(.invalidPayloadData, reason: "text ends inside a UTF-8 sequence"), 0)
            }
            return (.message(opcode, .assembled), consumed)
        }
    }

    private func carriesText(_ frame: FrameHeader) -> Bool {
        frame.opcode == .text || (frame.opcode == .continuation && messageOpcode == .text)
    }

    private mutating func finishText() -> Bool {
        let complete = textValidator.isAtCharacterBoundary
        textValidator = UTF8Validator()
        return complete
    }

    private enum HeaderResult {
        case parsed(FrameHeader)
        case needMoreData
        case violation(WebSocketCloseCode, String)
    }

    // RFC 6455 §5.2: every rule the first two bytes can break is checked before waiting for
    // the extended length, so a bad frame is refused as soon as it starts.
    private func parseHeader(_ input: UnsafeMutableRawBufferPointer) -> HeaderResult {
        guard input.count >= 2 else { return .needMoreData }
        let first = input[0]
        let second = input[1]
        if first & 0x70 != 0 { return .violation(.protocolError, "reserved bits set without an extension") }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            return .violation(.protocolError, "reserved opcode")
        }
        let fin = first & 0x80 != 0
        if second & 0x80 == 0 { return .violation(.protocolError, "client frames must be masked") }
        let shortLength = Int(second & 0x7F)
        if opcode.isControl {
            if !fin { return .violation(.protocolError, "control frames must not be fragmented") }
            if shortLength > 125 { return .violation(.protocolError, "control frame payload over 125 bytes") }
        } else if opcode == .continuation {
            if messageOpcode == nil { return .violation(.protocolError, "continuation frame without a message") }
        } else if messageOpcode != nil {
            return .violation(.protocolError, "new message before the fragmented one ended")
        }

        var headerLength = 2
        var payloadLength = shortLength
        if shortLength == 126 {
            headerLength = 4
            guard input.count >= 4 else { return .needMoreData }
            payloadLength = Int(input[2]) << 8 | Int(input[3])
        } else if shortLength == 127 {
            headerLength = 10
            guard input.count >= 10 else { return .needMoreData }
            if input[2] & 0x80 != 0 { return .violation(.protocolError, "64-bit length with its high bit set") }
            var length: UInt64 = 0
            for index in 2..<10 { length = length << 8 | UInt64(input[index]) }
            // Compared at full width: clamping first would bring a huge length under a limit of
            // 2^31 - 1 or more, and the frame would be read with the wrong length.
            if length > UInt64(maxMessageBytes - messageLength) {
                return .violation(.messageTooBig, "message over \(maxMessageBytes) bytes")
            }
            payloadLength = Int(length)
        }
        if !opcode.isControl && payloadLength > maxMessageBytes - messageLength {
            return .violation(.messageTooBig, "message over \(maxMessageBytes) bytes")
        }
        headerLength += 4
        guard input.count >= headerLength else { return .needMoreData }
        var maskKey: UInt32 = 0
        withUnsafeMutableBytes(of: &maskKey) { key in
            for index in 0..<4 { key[index] = input[headerLength - 4 + index] }
        }
        return .parsed(FrameHeader(
            fin: fin, opcode: opcode, maskKey: maskKey, headerLength: headerLength, payloadLength: payloadLength))
    }

    // RFC 6455 §5.5.1 and §7.4: an empty close is fine; one byte is not a code; the code must be
    // one a peer may send; the reason must be UTF-8.
    private func closeEvent(_ payload: UnsafeRawBufferPointer, payload range: Range<Int>) -> Event {
        if payload.isEmpty { return .close(code: nil, reason: range) }
        if payload.count == 1 { return .violation(.protocolError, reason: "close payload of one byte") }
        let code = WebSocketCloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
        if !code.isAllowedOnTheWire { return .violation(.protocolError, reason: "close code \(code.rawValue) is not allowed") }
        if !UTF8Validator.isValid(UnsafeRawBufferPointer(rebasing: payload[2...])) {
            return .violation(.invalidPayloadData, reason: "close reason is not valid UTF-8")
        }
        return .close(code: code, reason: (range.lowerBound + 2)..<range.upperBound)
    }
}

/// Where a complete message's payload is.
public enum WebSocketMessagePayload: Equatable, Sendable {
    /// In the input buffer handed to `read`, at this range.
    case input(Range<Int>)
    /// In the reader's `assembledMessage`.
    case assembled
}
