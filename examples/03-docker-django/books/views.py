from django.views.generic import ListView

from .models import Book


# region view
class BookListView(ListView):
    model = Book
    paginate_by = 50


# endregion view
