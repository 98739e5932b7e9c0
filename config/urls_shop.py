"""The storefront (namespace ``shop``): catalog pages and the shopper's orders."""

from catalog.urls_shop import urlpatterns as catalog_patterns
from claims.urls_shop import urlpatterns as claim_patterns
from marketing.urls_shop import urlpatterns as marketing_patterns
from marketing.urls_shop_voc import urlpatterns as voc_patterns
from orders.urls_shop import urlpatterns as order_patterns

app_name = "shop"

urlpatterns = [*order_patterns, *claim_patterns, *marketing_patterns, *voc_patterns, *catalog_patterns]
