import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

struct InboxCommand: GatewayCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "A member's or a unit's notifications, unread first; --read marks them read.",
        discussion: """
            Each body is shown as its first line, cut to 60 columns; --json gives the whole of it.

            Examples:
              gateway inbox --member 12
              gateway inbox --unit 3 --unread
              gateway inbox --member 12 --read 41 --read 42
              gateway inbox --member 12 --read-all
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "The member whose inbox this is.") var member: Int64?
    @Option(help: "The unit whose inbox this is.") var unit: Int64?
    @Flag(help: "The proposal committee office's inbox (deadline warnings).") var staff = false
    @Flag(help: "Only unread notifications.") var unread = false
    @Option(help: "Mark this notification read; repeat for several.") var read: [Int64] = []
    @Flag(help: "Mark every notification read.") var readAll = false
    @Option(help: "How many to show (1-500).") var limit: Int32 = 50

    func validate() throws {
        if [member != nil, unit != nil, staff].filter({ $0 }).count != 1 { throw ValidationError("give --member, --unit or --staff") }
        if !read.isEmpty && readAll { throw ValidationError("give --read or --read-all, not both") }
        if !(1...500).contains(limit) { throw ValidationError("--limit must be between 1 and 500") }
    }

    func perform() async throws -> Output {
        var recipient = NotificationV1.Recipient()
        recipient.kind = staff ? .staff : member != nil ? .member : .unit
        recipient.id = member ?? unit ?? 0
        let (marked, inbox) = try await connection.with(.notifier) { client in
            var marked: Int32?
            if !read.isEmpty || readAll {
                var mark = NotificationV1.MarkReadRequest()
                mark.recipient = recipient
                mark.ids = read
                marked = try await client.call(NotificationV1.Inbox.markRead, mark).marked
            }
            var request = NotificationV1.ListInboxRequest()
            request.recipient = recipient
            request.unreadOnly = unread
            request.pageSize = limit
            return (marked, try await client.call(NotificationV1.Inbox.list, request, options: .read))
        }
        var output = Output(inbox)
        if let marked { output.line("marked \(marked) read") }
        output.line("\(recipient.kind == .member ? "委员 \(recipient.id)" : recipient.kind == .unit ? "单位 \(recipient.id)" : "提案委员会办公室")：\(inbox.unread) 条未读，共 \(inbox.total) 条")
        var table = Table("id", "时间 time", "", "标题 title", "内容 body")
        for n in inbox.notifications {
            table.add(String(n.id), CommitteeClock.second(ifSet: n.createdAtMs), n.readAtMs == 0 ? "●" : "", n.title, Table.clipped(n.body, columns: 60))
        }
        output.add(table)
        return output
    }
}
