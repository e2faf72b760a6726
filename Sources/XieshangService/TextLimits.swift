import XieshangWire

extension WireTextPolicy {
    /// The suite's limits on what callers may write in each text field (README, "Security":
    /// the table of limits). Every string field not named here is single-line text of at
    /// most 1 KiB (about 340 Chinese characters); the fields below are named because they
    /// are longer, shorter, or hold paragraphs.
    public static let xieshang = WireTextPolicy(
        singleLine: .singleLine(1024),
        fields: [
            // Paragraphs.
            "body": .multiline(64 << 10),               // a proposal's text, an announcement
            "text": .multiline(32 << 10),               // a unit's reply
            "reply_text": .multiline(32 << 10),
            "minutes": .multiline(64 << 10),
            "outcomes": .multiline(16 << 10),
            "reason": .multiline(4 << 10),
            "override_reason": .multiline(4 << 10),
            "status_reason": .multiline(4 << 10),
            "note": .multiline(8 << 10),
            "notes": .multiline(8 << 10),
            "feedback_note": .multiline(8 << 10),
            "description": .multiline(4 << 10),
            "changes": .multiline(4 << 10),             // what a meeting changed in a document
            // Short single-line fields.
            "title": .singleLine(600),                  // 200 characters (案由)
            "name": .singleLine(384),
            "member_number": .singleLine(64),
            "query": .singleLine(256),
            "phone": .singleLine(64),
            "email": .singleLine(254),                  // RFC 5321's path limit
            "page_token": .singleLine(256),
            "online_link": .singleLine(2048),
        ])
}
