import Foundation
import XieshangRPC
import XieshangService
import XieshangLabels
import XieshangWire

extension RegistryHandlers {
    /// Sectors and special committees, and terms.
    static func registerCatalogs(into h: inout RPCHandlers, database: ServiceDatabase, outbox: EventOutbox) {
        h.register(MemberV1.Catalog.list) { request, _ in
            guard request.kind == .sector || request.kind == .specialCommittee else {
                throw RegistryError.invalid([("kind", "must be sector or special committee")])
            }
            var response = MemberV1.ListCatalogResponse()
            response.names = try await database.readSession { db in try MemberStore.catalog(db, request.kind) }
            return response
        }
        h.register(MemberV1.Catalog.add, mutating: true) { request, context in
            try await database.idempotentSession(context) { db in
                var response = MemberV1.AddCatalogEntryResponse()
                response.names = try PlaceStore.addCatalogEntry(db, request.kind, request.name)
                var event = MemberV1.CatalogEvent()
                event.kind = request.kind
                event.names = response.names
                try outbox.append(DomainEvents.catalogChanged, event, in: db, traceID: context.traceID)
                return response
            }.reply
        }
        h.register(MemberV1.Terms.create, mutating: true) { request, context in
            try await database.idempotentSession(context) { db in
                let before = try PlaceStore.terms(db)
                var response = MemberV1.CreateTermResponse()
                response.term = try PlaceStore.createTerm(db, request.term ?? MemberV1.Term())
                try termsSaved(db, outbox, context, before: before)
                return response
            }.reply
        }
        h.register(MemberV1.Terms.list) { _, _ in
            var response = MemberV1.ListTermsResponse()
            response.terms = try await database.readSession { db in try PlaceStore.terms(db) }
            return response
        }
        h.register(MemberV1.Terms.setCurrent, mutating: true) { request, context in
            try await database.idempotentSession(context) { db in
                let before = try PlaceStore.terms(db)
                var response = MemberV1.SetCurrentTermResponse()
                response.term = try PlaceStore.setCurrentTerm(db, request.number)
                try termsSaved(db, outbox, context, before: before)
                return response
            }.reply
        }
    }

    /// A term.saved for each term that is new or changed (a new one, and the current mark moving).
    static func termsSaved(_ db: any SQLSession, _ outbox: EventOutbox, _ context: RPCCallContext, before: [MemberV1.Term]) throws {
        for term in try PlaceStore.terms(db) where !before.contains(term) {
            var event = MemberV1.TermEvent()
            event.term = term
            try outbox.append(DomainEvents.termSaved, event, in: db, traceID: context.traceID)
        }
    }
}
