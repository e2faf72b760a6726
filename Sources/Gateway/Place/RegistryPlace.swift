import ArgumentParser
import XieshangRPC
import XieshangWire

/// A place the office keeps in member-registry and edits field by field: a work station, a
/// consultation room, a handling unit. Their add, update and get commands are written once
/// (`PlaceAdd`, `PlaceUpdate`, `PlaceGet`); each list has filters of its own and stays its own.
protocol RegistryPlace {
    associatedtype Record: WireMessage & Encodable
    associatedtype Fields: PlaceFields<Record>
    /// What staff call it, for help texts: "work station".
    static var noun: String { get }
    /// Example command lines for add, update and get.
    static var examples: (add: String, update: String, get: String) { get }
    /// A new record before the fields are applied.
    static var blank: Record { get }
    static func get(_ id: Int64, with client: RPCClient) async throws -> Record?
    static func save(_ record: Record, with client: RPCClient) async throws -> Record?
    static func table(_ records: [Record]) -> Table
}

/// The editable fields of a place, shared by its add and update.
protocol PlaceFields<Record>: ParsableArguments {
    associatedtype Record
    func apply(to record: inout Record)
    /// Refuses an add without the fields a new place needs.
    func requireForAdd() throws
}

extension RegistryPlace {
    static var blank: Record { Record() }

    static func output(_ records: [Record]) -> Output { Output(records, table(records)) }

    /// Adds (`id` 0) or changes a place: the fields not given keep their values.
    static func save(_ id: Int64, _ fields: Fields, _ connection: ConnectionOptions) async throws -> Output {
        let saved = try await connection.with(.registry) { client in
            var record = id == 0 ? blank : try await get(id, with: client) ?? blank
            fields.apply(to: &record)
            return try await save(record, with: client)
        }
        return output(saved.map { [$0] } ?? [])
    }
}

struct PlaceAdd<Place: RegistryPlace>: GatewayCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "add", abstract: "Add a \(Place.noun).", discussion: "Example: \(Place.examples.add)")
    }
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var fields: Place.Fields

    func validate() throws { try fields.requireForAdd() }

    func perform() async throws -> Output { try await Place.save(0, fields, connection) }
}

struct PlaceUpdate<Place: RegistryPlace>: GatewayCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "update", abstract: "Change a \(Place.noun); fields not given keep their values.",
            discussion: "Example: \(Place.examples.update)")
    }
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The id.") var id: Int64
    @OptionGroup var fields: Place.Fields

    func perform() async throws -> Output { try await Place.save(id, fields, connection) }
}

struct PlaceGet<Place: RegistryPlace>: GatewayCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "get", abstract: "Show a \(Place.noun).", discussion: "Example: \(Place.examples.get)")
    }
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The id.") var id: Int64

    func perform() async throws -> Output {
        Place.output(try await connection.with(.registry) { try await Place.get(id, with: $0) }.map { [$0] } ?? [])
    }
}
