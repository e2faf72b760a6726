import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// The tracker's RPC methods: the workflow table decides what is allowed; what needs another
/// service is asked before the transaction; the change, its transition record and its event
/// commit together, once per request id.
public struct TrackerHandlers: RPCService {
    let database: ServiceDatabase
    let outbox: EventOutbox
    let peers: Peers
    let replyClasses: ReplyClasses

    public init(database: ServiceDatabase, outbox: EventOutbox, peers: Peers, replyClasses: ReplyClasses = .standard) {
        self.database = database
        self.outbox = outbox
        self.peers = peers
        self.replyClasses = replyClasses
    }

    /// Who may call what (docs/ARCHITECTURE.md, "Security"). Members and units reach proposals only
    /// as themselves: the workflow table then decides each action by the actor the
    /// principal is (never one the request claims); members see their own and public
    /// proposals, units those assigned to them.
    public static var permissions: MethodPermissions {
        var p = MethodPermissions()
        let everyone = MethodPermissions.everyone
        p.allow(MethodPermissions.office.union([.member]), ProposalV1.Proposals.create.name, ProposalV1.Proposals.update.name)
        p.allow(MethodPermissions.office.union([.member, .unit]), ProposalV1.Proposals.act.name)
        p.allow(everyone, ProposalV1.Proposals.get.name, ProposalV1.Proposals.history.name, ProposalV1.Proposals.list.name,
                ProposalV1.Topics.get.name, ProposalV1.Topics.list.name)
        // The public (through the portal): consultation topics once publicised, their notices only.
        p.allow([.public], ProposalV1.Topics.get.name, ProposalV1.Topics.list.name)
        p.allow(MethodPermissions.officeAndServices.union([.unit]), ProposalV1.Proposals.overdue.name)
        p.allow(MethodPermissions.office, ProposalV1.Proposals.statistics.name)
        // Topics: the office, and a member for the rooms they convene (or the station they head).
        p.allow(MethodPermissions.office.union([.member]), ProposalV1.Topics.create.name, ProposalV1.Topics.advance.name)
        // 社情民意: a member submits and reads their own items; the office does the rest.
        p.allow(MethodPermissions.office.union([.member]), ProposalV1.Opinions.submit.name, ProposalV1.Opinions.get.name,
                ProposalV1.Opinions.list.name)
        p.allow(MethodPermissions.office, ProposalV1.Opinions.act.name, ProposalV1.Opinions.statistics.name)
        // The events carry what the methods guard (non-public proposals among them): only
        // their consumers, the notifier and the duty record, read them, not every service's key.
        p.allow([.admin], EventV1.Events.since.name)
        p.allow(services: ["notifier", "duty-record"], EventV1.Events.since.name)
        return p
    }

    public func register(into h: inout RPCHandlers) {
        h.register(ProposalV1.Proposals.create, mutating: true, create)
        h.register(ProposalV1.Proposals.update, mutating: true, update)
        h.register(ProposalV1.Proposals.act, mutating: true, act)
        h.register(ProposalV1.Proposals.get) { request, context in
            var response = ProposalV1.GetProposalResponse()
            let proposal = try await database.readSession { db in try ProposalStore.load(db, request.id) }
            try Self.requireReadable(proposal, by: context.principal)
            response.proposal = proposal
            // The office: every step the state allows (staff also act for a member or a
            // unit); a member or a unit: the steps offered to them.
            let principal = context.principal
            if principal.memberID != nil || principal.unitID != nil {
                let actor = try Self.actor(claimed: nil, principal)
                response.allowed = ProposalWorkflow.allowed(from: proposal.state).filter { Self.offers($0, to: actor, proposal) }
            } else {
                response.allowed = ProposalWorkflow.allowed(from: proposal.state)
            }
            return response
        }
        h.register(ProposalV1.Proposals.list) { request, context in
            var request = request
            // A member lists the proposals they lead or co-sign; a unit those assigned to it.
            request.memberID = try context.principal.scopedMember(request.memberID, field: "member_id")
            request.unitID = try context.principal.scopedUnit(request.unitID, field: "unit_id")
            if request.pageSize < 0 || request.pageSize > 500 { throw ProposalError.invalid([("page_size", "must be between 1 and 500")]) }
            let scoped = request
            return try await database.readSession { db in try ProposalStore.list(db, scoped) }
        }
        h.register(ProposalV1.Proposals.history) { request, context in
            let proposal = try await database.readSession { db in try ProposalStore.load(db, request.id) }
            try Self.requireReadable(proposal, by: context.principal)
            var response = ProposalV1.HistoryResponse()
            response.transitions = try await database.readSession { db in try ProposalStore.history(db, request.id) }
            return response
        }
        h.register(ProposalV1.Proposals.overdue) { request, context in
            var request = request
            request.unitID = try context.principal.scopedUnit(request.unitID, field: "unit_id")
            if request.withinDays < 0 { throw ProposalError.invalid([("within_days", "must not be negative")]) }
            var response = ProposalV1.OverdueResponse()
            let now = ProposalStore.nowMs
            let scoped = request
            response.proposals = try await database.readSession { db in
                try ProposalStore.overdue(db, withinDays: scoped.withinDays, unit: scoped.unitID, now: now)
            }
            return response
        }
        h.register(ProposalV1.Proposals.statistics) { request, _ in
            if request.toMs != 0 && request.toMs <= request.fromMs { throw ProposalError.invalid([("to_ms", "must be after from_ms")]) }
            return try await database.readSession { [replyClasses] db in
                try TrackerStatistics.compute(db, request, now: ProposalStore.nowMs, replyClasses: replyClasses)
            }
        }
        registerOpinions(into: &h)
        h.register(ProposalV1.Topics.create, mutating: true, createTopic)
        h.register(ProposalV1.Topics.advance, mutating: true, advanceTopic)
        h.register(ProposalV1.Topics.get) { request, context in
            let topic = try await database.readSession { db in try ProposalStore.loadTopic(db, request.id) }
            var response = ProposalV1.GetTopicResponse()
            guard let visible = Self.topic(topic, for: context.principal) else {
                throw ProposalError.notFound(field: "id", what: "topic \(request.id)")
            }
            response.topic = visible
            return response
        }
        h.register(ProposalV1.Topics.list) { request, context in
            var response = ProposalV1.ListTopicsResponse()
            response.topics = try await database.readSession { db in try ProposalStore.topics(db, request) }.compactMap { Self.topic($0, for: context.principal) }
            return response
        }
    }
}

extension TrackerHandlers {
    /// A topic as `principal` reads it. The public sees a topic once it is publicised (公开公示),
    /// and of its steps only the public notices (公示, 结果反馈) and their dates: who recorded
    /// each step and the working notes are the committee's.
    static func topic(_ topic: ProposalV1.Topic, for principal: Principal) -> ProposalV1.Topic? {
        guard principal.role == .public else { return topic }
        guard topic.step.rawValue >= ProposalV1.TopicStep.publicised.rawValue else { return nil }
        var visible = topic
        visible.steps = topic.steps.filter { $0.notice != nil }.map { record in
            var shown = ProposalV1.TopicStepRecord()
            shown.step = record.step
            shown.atMs = record.atMs
            shown.notice = record.notice
            return shown
        }
        visible.proposalID = 0
        return visible
    }
}
