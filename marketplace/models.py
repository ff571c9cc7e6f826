"""Every model, imported in one place for Alembic and the app factory."""
from .accounts.models import (  # noqa: F401
    BuyerProfile,
    MerchantCategory,
    MerchantProfile,
    OfficerProfile,
    SignIn,
    User,
    VerificationMove,
)
from .audit.models import AuditEntry  # noqa: F401
from .catalog.models import PriceTier, Product, ProductPhoto, SynonymGroup  # noqa: F401
from .core.jobs import QueuedJob  # noqa: F401
from .customs.models import CustomsRule  # noqa: F401
from .mail.models import OutboxMessage  # noqa: F401
from .moderation.models import ListingReport  # noqa: F401
from .orders.models import CartCourier, CartLine, MerchantOrder, Order, OrderLine, StatusChange  # noqa: F401
from .payables.models import CommissionRate, LedgerEntry  # noqa: F401
from .payments.models import Payment, WebhookEvent  # noqa: F401
from .rates.models import ExchangeRate  # noqa: F401
from .shipping.models import CourierRate, CourierService  # noqa: F401
from .showcases.models import Showcase, ShowcaseItem  # noqa: F401
from .stats.models import StatsToken  # noqa: F401
from .trade.models import BuyingRequest, Inquiry, InquiryMessage, InquiryMove, Quote  # noqa: F401
from .verification.models import ExportProfile, MerchantDocument, WorkshopPhoto  # noqa: F401
