from .portal import READ


def portal(request):
    """On portal pages: the areas the signed-in staff may see (the menu shows only those)."""
    staff = getattr(request, "seller_staff", None)
    if staff is None:
        return {}
    return {"portal_areas": {area for area, roles in READ.items() if staff.role in roles}}
