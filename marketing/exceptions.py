from core.exceptions import DomainError


class MarketingError(DomainError):
    pass


class CouponError(MarketingError):
    pass


class PointsError(MarketingError):
    pass
