from django.contrib import admin

from .models import Book


# region admin
@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "year", "added_at"]
    search_fields = ["title", "author"]


# endregion admin
