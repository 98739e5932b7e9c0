from django.http import HttpResponse


def home(request):
    return HttpResponse("home")


def category(request, slug):
    return HttpResponse("category")


def search(request):
    return HttpResponse("search")


def product_detail(request, product_id):
    return HttpResponse("product")


def categories(request):
    return HttpResponse("categories")
