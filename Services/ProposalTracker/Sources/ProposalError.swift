import XieshangService

/// What the tracker refuses (`DomainRefusal`: the one place that maps it to a status code).
public typealias ProposalError = DomainRefusal
