import Protocol
import XCTest

/// An event of `WebSocketMessageReader` with its payload copied out of the connection buffer,
/// so that tests can compare events after the bytes have been dropped.
enum ReceivedEvent: Equatable {
    case fragmentAssembled
    case message(WebSocketOpcode, [UInt8])
    case ping([UInt8])
    case pong([UInt8])
    case close(code: WebSocketCloseCode?, reason: [UInt8])
    case violation(WebSocketCloseCode)
}

/// How bytes are handed to a connection.
enum Feeding: CaseIterable, CustomStringConvertible {
    /// Everything in one read.
    case whole
    /// Two reads, split in the middle.
    case halves
    /// One byte per read.
    case byteByByte

    /// Splits `bytes` into the chunks this feeding hands over.
    func chunks(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        switch self {
        case .whole:
            return [bytes[...]]
        case .halves:
            let middle = bytes.count / 2
            return [bytes[..<middle], bytes[middle...]]
        case .byteByByte:
            return bytes.indices.map { bytes[$0...$0] }
        }
    }

    var description: String {
        switch self {
        case .whole: return "whole"
        case .halves: return "in halves"
        case .byteByByte: return "byte by byte"
        }
    }
}

/// The receive side of a connection as the server drives it: received bytes are appended to
/// one buffer, `read` is called until it needs more data, and each event's `consumed` bytes
/// are dropped from the front once the event has been handled. Nothing is read after a
/// violation.
final class SimulatedConnection {
    private(set) var reader: WebSocketMessageReader
    /// The unread bytes.
    private(set) var buffer: [UInt8] = []
    /// Every event but `needMoreData`, in order.
    private(set) var events: [ReceivedEvent] = []
    /// How many bytes had been received when the violation was reported.
    private(set) var violationAfterBytes: Int?
    /// Whether each message event pointed into the input buffer (true) or at the assembled copy.
    private(set) var messagesReadInPlace: [Bool] = []
    private var bytesReceived = 0

    init(maxMessageBytes: Int = 1 << 21) {
        reader = WebSocketMessageReader(maxMessageBytes: maxMessageBytes)
    }

    /// Receives `bytes` as handed over by `feeding`.
    func receive(_ bytes: [UInt8], _ feeding: Feeding) {
        switch feeding {
        case .whole, .halves:
            for chunk in feeding.chunks(of: bytes) { receive(chunk) }
        case .byteByByte:
            // Not through `chunks(of:)`: a megabyte would make a million slices first.
            for index in bytes.indices { receive(bytes[index...index]) }
        }
    }

    /// Receives one chunk and reads every event it completes.
    func receive(_ chunk: ArraySlice<UInt8>) {
        guard violationAfterBytes == nil else { return }
        buffer.append(contentsOf: chunk)
        bytesReceived += chunk.count
        readAvailableEvents()
    }

    private func readAvailableEvents() {
        while violationAfterBytes == nil {
            let (event, consumed) = buffer.withUnsafeMutableBytes { reader.read($0) }
            switch event {
            case .needMoreData:
                XCTAssertEqual(consumed, 0, "needMoreData consumes nothing")
                return
            case .fragmentAssembled:
                events.append(.fragmentAssembled)
            case .message(let opcode, .input(let range)):
                events.append(.message(opcode, Array(buffer[range])))
                messagesReadInPlace.append(true)
            case .message(let opcode, .assembled):
                events.append(.message(opcode, reader.assembledMessage))
                messagesReadInPlace.append(false)
            case .ping(let range):
                events.append(.ping(Array(buffer[range])))
            case .pong(let range):
                events.append(.pong(Array(buffer[range])))
            case .close(let code, let reason):
                events.append(.close(code: code, reason: Array(buffer[reason])))
            case .violation(let code, _):
                events.append(.violation(code))
                violationAfterBytes = bytesReceived
                return
            }
            XCTAssertGreaterThan(consumed, 0, "an event consumes its frame")
            buffer.removeFirst(consumed)
        }
    }
}
