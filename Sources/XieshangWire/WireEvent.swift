/// A domain event's declaration: its type (the first frame on the PUB socket, and
/// `Event.type`) and its payload message. Declared once in `DomainEvents`, used by the
/// service that writes it and by every consumer's rules, so a name is never spelt twice and
/// a payload never guessed (as `WireMethod` is for a method).
public struct WireEvent<Payload: WireMessage>: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }

    /// `case DomainEvents.memberAdded:` in a switch over an event's type.
    public static func ~= (event: WireEvent, type: String) -> Bool { event.name == type }

    /// The payload of `event`, one of this kind.
    public func payload(of event: EventV1.Event) throws(WireError) -> Payload {
        try Payload(decoding: event.payload)
    }
}

/// Every domain event of the suite. The names are the contract with consumers: never rename
/// one; add a new event instead.
public enum DomainEvents {
    // member-registry, payload MemberEvent
    public static let memberAdded = WireEvent<MemberV1.MemberEvent>("member.added")
    public static let memberUpdated = WireEvent<MemberV1.MemberEvent>("member.updated")
    public static let memberResigned = WireEvent<MemberV1.MemberEvent>("member.resigned")
    public static let memberRestored = WireEvent<MemberV1.MemberEvent>("member.restored")
    /// A decision of the 常委会 that leaves the member in the committee (an addition made, a
    /// resignation refused); one that takes them out is `member.resigned`.
    public static let memberDecided = WireEvent<MemberV1.MemberEvent>("member.decided")
    public static let memberAssigned = WireEvent<MemberV1.MemberEvent>("member.assigned")
    public static let memberUnassigned = WireEvent<MemberV1.MemberEvent>("member.unassigned")
    /// The directory as the other services keep it (meeting-scheduler's read model): a room
    /// created or changed, a term created or made current, a managed list grown. Each carries
    /// the whole of what it names, so applying one again changes nothing.
    public static let roomSaved = WireEvent<MemberV1.RoomEvent>("room.saved")
    public static let termSaved = WireEvent<MemberV1.TermEvent>("term.saved")
    public static let catalogChanged = WireEvent<MemberV1.CatalogEvent>("catalog.changed")

    // meeting-scheduler, payload MeetingEvent or InviteeEvent
    public static let meetingPublished = WireEvent<MeetingV1.MeetingEvent>("meeting.published")
    public static let meetingChanged = WireEvent<MeetingV1.MeetingEvent>("meeting.changed")
    public static let meetingCancelled = WireEvent<MeetingV1.MeetingEvent>("meeting.cancelled")
    public static let meetingClosed = WireEvent<MeetingV1.MeetingEvent>("meeting.closed")
    public static let invitationAdded = WireEvent<MeetingV1.InviteeEvent>("invitation.added")
    public static let invitationRemoved = WireEvent<MeetingV1.InviteeEvent>("invitation.removed")
    public static let leaveRequested = WireEvent<MeetingV1.InviteeEvent>("leave.requested")
    public static let leaveDecided = WireEvent<MeetingV1.InviteeEvent>("leave.decided")

    // proposal-tracker, payload ProposalEvent: one per step of the workflow
    public static let proposalCreated = WireEvent<ProposalV1.ProposalEvent>("proposal.created")
    public static let proposalInviteCosigners = WireEvent<ProposalV1.ProposalEvent>("proposal.invite-cosigners")
    public static let proposalCosign = WireEvent<ProposalV1.ProposalEvent>("proposal.cosign")
    public static let proposalDecline = WireEvent<ProposalV1.ProposalEvent>("proposal.decline")
    public static let proposalSubmit = WireEvent<ProposalV1.ProposalEvent>("proposal.submit")
    public static let proposalFile = WireEvent<ProposalV1.ProposalEvent>("proposal.file")
    public static let proposalNotFile = WireEvent<ProposalV1.ProposalEvent>("proposal.not-file")
    public static let proposalMerge = WireEvent<ProposalV1.ProposalEvent>("proposal.merge")
    public static let proposalRefer = WireEvent<ProposalV1.ProposalEvent>("proposal.refer")
    public static let proposalReturn = WireEvent<ProposalV1.ProposalEvent>("proposal.return")
    public static let proposalWithdraw = WireEvent<ProposalV1.ProposalEvent>("proposal.withdraw")
    public static let proposalAssign = WireEvent<ProposalV1.ProposalEvent>("proposal.assign")
    public static let proposalSignFor = WireEvent<ProposalV1.ProposalEvent>("proposal.sign-for")
    public static let proposalRequestReturn = WireEvent<ProposalV1.ProposalEvent>("proposal.request-return")
    public static let proposalReassign = WireEvent<ProposalV1.ProposalEvent>("proposal.reassign")
    public static let proposalExtend = WireEvent<ProposalV1.ProposalEvent>("proposal.extend")
    public static let proposalReply = WireEvent<ProposalV1.ProposalEvent>("proposal.reply")
    public static let proposalFeedback = WireEvent<ProposalV1.ProposalEvent>("proposal.feedback")
    public static let proposalClose = WireEvent<ProposalV1.ProposalEvent>("proposal.close")
    public static let proposalTrack = WireEvent<ProposalV1.ProposalEvent>("proposal.track")
    public static let proposalDesignateKey = WireEvent<ProposalV1.ProposalEvent>("proposal.designate-key")
    public static let proposalCountersign = WireEvent<ProposalV1.ProposalEvent>("proposal.countersign")
    public static let proposalReturnReply = WireEvent<ProposalV1.ProposalEvent>("proposal.return-reply")
    public static let proposalOpinion = WireEvent<ProposalV1.ProposalEvent>("proposal.opinion")
    public static let proposalRequestExtension = WireEvent<ProposalV1.ProposalEvent>("proposal.request-extension")

    /// The event a workflow action writes; nil for values that are no action.
    public static func proposal(_ action: ProposalV1.Action) -> WireEvent<ProposalV1.ProposalEvent>? {
        switch action {
        case .inviteCosigners: proposalInviteCosigners
        case .cosign: proposalCosign
        case .decline: proposalDecline
        case .submit: proposalSubmit
        case .file: proposalFile
        case .notFile: proposalNotFile
        case .merge: proposalMerge
        case .refer: proposalRefer
        case .return: proposalReturn
        case .withdraw: proposalWithdraw
        case .assign: proposalAssign
        case .signFor: proposalSignFor
        case .requestReturn: proposalRequestReturn
        case .reassign: proposalReassign
        case .extend: proposalExtend
        case .reply: proposalReply
        case .feedback: proposalFeedback
        case .close: proposalClose
        case .track: proposalTrack
        case .designateKey: proposalDesignateKey
        case .countersign: proposalCountersign
        case .returnReply: proposalReturnReply
        case .opinion: proposalOpinion
        case .requestExtension: proposalRequestExtension
        case .unspecified, .unrecognized: nil
        }
    }

    // proposal-tracker, payload OpinionEvent: one per step of a 社情民意 item
    public static let opinionSubmit = WireEvent<ProposalV1.OpinionEvent>("opinion.submit")
    public static let opinionEdit = WireEvent<ProposalV1.OpinionEvent>("opinion.edit")
    public static let opinionReport = WireEvent<ProposalV1.OpinionEvent>("opinion.report")
    public static let opinionAdopt = WireEvent<ProposalV1.OpinionEvent>("opinion.adopt")
    public static let opinionInstruct = WireEvent<ProposalV1.OpinionEvent>("opinion.instruct")
    public static let opinionDecline = WireEvent<ProposalV1.OpinionEvent>("opinion.decline")

    /// The event a 社情民意 step writes; nil for values that are no action.
    public static func opinion(_ action: ProposalV1.OpinionAction) -> WireEvent<ProposalV1.OpinionEvent>? {
        switch action {
        case .submit: opinionSubmit
        case .edit: opinionEdit
        case .report: opinionReport
        case .adopt: opinionAdopt
        case .instruct: opinionInstruct
        case .decline: opinionDecline
        case .unspecified, .unrecognized: nil
        }
    }

    // proposal-tracker, payload TopicEvent: one per step of the six
    public static let topicCollected = WireEvent<ProposalV1.TopicEvent>("topic.collected")
    public static let topicDecided = WireEvent<ProposalV1.TopicEvent>("topic.decided")
    public static let topicResearched = WireEvent<ProposalV1.TopicEvent>("topic.researched")
    public static let topicConsulted = WireEvent<ProposalV1.TopicEvent>("topic.consulted")
    public static let topicPublicised = WireEvent<ProposalV1.TopicEvent>("topic.publicised")
    public static let topicImplemented = WireEvent<ProposalV1.TopicEvent>("topic.implemented")
    public static let topicFeedback = WireEvent<ProposalV1.TopicEvent>("topic.feedback")

    /// The event a topic step writes; nil for values that are no step.
    public static func topic(_ step: ProposalV1.TopicStep) -> WireEvent<ProposalV1.TopicEvent>? {
        switch step {
        case .collected: topicCollected
        case .decided: topicDecided
        case .researched: topicResearched
        case .consulted: topicConsulted
        case .publicised: topicPublicised
        case .implemented: topicImplemented
        case .feedback: topicFeedback
        case .unspecified, .unrecognized: nil
        }
    }
}
