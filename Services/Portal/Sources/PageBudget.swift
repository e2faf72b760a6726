import Foundation
import Hummingbird
import Logging
import Synchronization

/// How many pages one person may ask for: a token bucket per key (an account signed in, or
/// an address not signed in), `burst` pages at once and `perSecond` more each second.
///
/// Every page the portal serves calls the services through the portal's own connections,
/// whose share of each service's capacity all its people share: without a budget one
/// member's script could take that share from everyone else. The README's nginx block limits
/// each address in front; this limit holds without it, and per account whatever the address.
public final class PageBudget: Sendable {
    public let burst: Double
    public let perSecond: Double
    /// The most keys remembered; past it, the buckets that have filled up again are forgotten
    /// (a full bucket is the same as none), and if that leaves more than three quarters, all
    /// of them: the forgetting walks every key, so it must not come again with the next one.
    let keysKept: Int

    private struct Bucket {
        var tokens: Double
        var at: Int64
        /// Refused since its last page served.
        var refused = false
    }
    private let buckets = Mutex<[String: Bucket]>([:])

    public enum Outcome: Equatable {
        case served
        /// Refused; `first` when this is the first refusal since the key last had a page
        /// (logged once, not once a page of a flood).
        case refused(first: Bool)
    }

    public init(burst: Int, perSecond: Double, keysKept: Int = 100_000) {
        self.burst = Double(burst)
        self.perSecond = perSecond
        self.keysKept = keysKept
    }

    /// Takes one page from `key`'s budget at `now` (milliseconds).
    public func take(_ key: String, now: Int64) -> Outcome {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, at: now)
            bucket.tokens = min(burst, bucket.tokens + Double(max(0, now - bucket.at)) / 1000 * perSecond)
            bucket.at = now
            if bucket.tokens < 1 {
                let first = !bucket.refused
                bucket.refused = true
                buckets[key] = bucket
                return .refused(first: first)
            }
            bucket.tokens -= 1
            bucket.refused = false
            buckets[key] = bucket
            if buckets.count > keysKept { forgetFull(&buckets, now: now) }
            return .served
        }
    }

    /// How many keys are remembered (for tests).
    var remembered: Int { buckets.withLock { $0.count } }

    /// Seconds until one more page is allowed, for `Retry-After`.
    var retryAfter: Int { max(1, Int((1 / perSecond).rounded(.up))) }

    private func forgetFull(_ buckets: inout [String: Bucket], now: Int64) {
        buckets = buckets.filter { _, bucket in bucket.tokens + Double(now - bucket.at) / 1000 * perSecond < burst }
        if buckets.count > keysKept * 3 / 4 { buckets.removeAll() }
    }
}

/// Refuses a page with 429 when its person's budget is spent (the stylesheet aside).
struct PageBudgetMiddleware: RouterMiddleware {
    typealias Context = PortalContext
    let app: PortalApp

    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws -> Response {
        guard request.uri.path != "/portal.css" else { return try await next(request, context) }
        let session = try await app.session(request)
        let key = session.map { "account \($0.account.id)" } ?? "address " + PortalApp.counted(app.clientAddress(request, context))
        switch app.pages.take(key, now: app.now) {
        case .served:
            return try await next(request, context)
        case .refused(let first):
            if first {
                app.logger.warning("pages refused: over the budget", metadata: [
                    "portal.key": "\(key)", "portal.burst": "\(Int(app.pages.burst))", "portal.per_second": "\(app.pages.perSecond)",
                ])
            }
            var response = app.message("请求过于频繁", "请求过于频繁，请稍等片刻再试。", status: .tooManyRequests, session: session)
            response.headers[.retryAfter] = String(app.pages.retryAfter)
            return response
        }
    }
}
