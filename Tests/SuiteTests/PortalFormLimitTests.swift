import Foundation
import Testing
import XieshangService
import XieshangWire
@testable import Portal

/// A form field's `maxlength` (UTF-16 units, what the browser counts) against what the
/// service takes in the wire field it fills (UTF-8 bytes): at three bytes a Chinese character,
/// a text the browser lets through must never be refused by the service for its length (the
/// member would read the service's refusal, in English, on a page of its own).
@Suite("the portal's forms and the services' text limits")
struct PortalFormLimitTests {
    /// Fields the portal parses or keeps itself, not sent to a service as written.
    static let notSentAsWritten: Set = ["participants", "members", "login", "password", "confirm", "current", "code"]

    @Test("every text field's maxlength fits the service's limit for it at three bytes a character")
    func limits() throws {
        let tag = try Regex(#"<(?:input|textarea)\b[^>]*>"#)
        var checked: [String] = []
        for (template, text) in Pages.templates {
            for match in text.matches(of: tag) {
                let element = String(text[match.range])
                guard let name = Self.attribute("name", in: element), !Self.notSentAsWritten.contains(name),
                      element.contains("<textarea") || Self.attribute("type", in: element) == nil else { continue }
                let wire = Pages.wireFields[name] ?? name
                let limit = WireTextPolicy.xieshang.rule(message: "", field: wire).maxBytes
                guard let most = Self.attribute("maxlength", in: element).flatMap(Int.init) else {
                    Issue.record("\(template): \(name) has no maxlength (the service takes \(limit) bytes)")
                    continue
                }
                #expect(most * 3 <= limit, "\(template): \(name) takes \(most) characters, up to \(most * 3) bytes; the service's \(wire) takes \(limit)")
                checked.append(name)
            }
        }
        // The forms that write paragraphs are all here; none found means the parsing broke.
        for name in ["title", "body", "text", "reason", "minutes", "outcomes", "description", "evidence", "notice"] {
            #expect(checked.contains(name), "no form field \(name) found in the templates")
        }
    }

    static func attribute(_ name: String, in element: String) -> String? {
        guard let start = element.range(of: " \(name)=\"") else { return nil }
        let rest = element[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
