from django.http import HttpResponse


def stock_import(request):
    return HttpResponse("stock import")
