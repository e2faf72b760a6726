import XieshangService

/// What the duty record refuses (`DomainRefusal`: the one place that maps it to a status code).
public typealias DutyError = DomainRefusal
