/// Text in double quotes, escaped so that it is a JSON string (RFC 8259 §7) and that nothing
/// in it acts on a terminal: the logger's JSON lines and the player text `partyhub data dump`
/// prints.
enum QuotedText {
    /// `text` as a JSON string: `"` and `\` escaped, `\n`, `\r`, `\t`, and every other control
    /// character (C0, DEL, C1), line and paragraph separator and bidirectional control as
    /// `\u00XX`/`\uXXXX`. Printable characters, non-ASCII ones included, stay as they are.
    static func json(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar):
                // Every such scalar is in the Basic Multilingual Plane: four hex digits.
                let digits = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `text` as it is, but every control character (as `json` counts them) as `\uXXXX`: JSON
    /// the server wrote stays the same JSON, and nothing in it acts on a terminal (JSON escapes
    /// only C0, not DEL, C1 or the bidirectional controls).
    static func controlsEscaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                let digits = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: break
        }
        // Bidirectional marks, embeddings, overrides and isolates (Unicode TR9): they reorder
        // what follows them on the line.
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
