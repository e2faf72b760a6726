import ArgumentParser
import XieshangRPC
import XieshangWire

struct UnitCommand: AsyncParsableCommand, RegistryPlace {
    static let configuration = CommandConfiguration(
        commandName: "unit", abstract: "Handling units (承办单位) for proposals.",
        subcommands: [PlaceAdd<Self>.self, PlaceUpdate<Self>.self, PlaceGet<Self>.self, List.self])

    static let noun = "handling unit"
    static let examples = (add: "gateway unit add --name 市教育局 --kind 政府部门 --contact 李明 \\\n             --phone 0937-6212345",
                           update: "gateway unit update 4 --no-active", get: "gateway unit get 4")

    /// A new unit takes proposals until staff say otherwise.
    static var blank: MemberV1.Unit {
        var unit = MemberV1.Unit()
        unit.active = true
        return unit
    }

    struct Fields: PlaceFields {
        @Option(help: "Name, e.g. 市教育局.") var name: String?
        @Option(help: "Kind, e.g. 政府部门.") var kind: String?
        @Option(help: "Contact person.") var contact: String?
        @Option(help: "Contact phone.") var phone: String?
        @Option(help: "Contact e-mail.") var email: String?
        @Flag(inversion: .prefixedNo, help: "Whether it takes proposals.") var active: Bool?

        func requireForAdd() throws { if name == nil { throw ValidationError("--name is required") } }

        func apply(to u: inout MemberV1.Unit) {
            if let name { u.name = name }
            if let kind { u.kind = kind }
            if let contact { u.contactPerson = contact }
            if let phone { u.phone = phone }
            if let email { u.email = email }
            if let active { u.active = active }
        }
    }

    static func get(_ id: Int64, with client: RPCClient) async throws -> MemberV1.Unit? {
        var request = MemberV1.GetUnitRequest()
        request.id = id
        return try await client.call(MemberV1.Units.get, request, options: .read).unit
    }

    static func save(_ unit: MemberV1.Unit, with client: RPCClient) async throws -> MemberV1.Unit? {
        var request = MemberV1.SaveUnitRequest()
        request.unit = unit
        return try await client.call(MemberV1.Units.save, request).unit
    }

    static func table(_ units: [MemberV1.Unit]) -> Table {
        var table = Table("id", "名称 name", "类别 kind", "联系人 contact", "电话 phone", "邮箱 e-mail", "状态 active")
        for u in units { table.add(String(u.id), u.name, u.kind, u.contactPerson, u.phone, u.email, u.active ? "承办" : "停用") }
        return table
    }
}
