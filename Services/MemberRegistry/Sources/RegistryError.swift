import XieshangService

/// What the registry refuses (`DomainRefusal`: the one place that maps it to a status code).
public typealias RegistryError = DomainRefusal
