import re

from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from django.urls import reverse

from .models import Book


class ThroughProxyTestCase(TestCase):
    """Requests arrive as in production: over HTTPS, through a proxy that terminates TLS."""

    def setUp(self) -> None:
        self.client = Client(headers={"X-Forwarded-Proto": "https"})


class BookListTests(ThroughProxyTestCase):
    def test_lists_books_by_title(self) -> None:
        Book.objects.create(title="Two Scoops of Django", author="Daniel and Audrey Feldroy", year=2020)
        Book.objects.create(title="Fluent Python", author="Luciano Ramalho", year=2022)

        response = self.client.get(reverse("book-list"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [book.title for book in response.context["book_list"]],
            ["Fluent Python", "Two Scoops of Django"],
        )
        self.assertContains(response, "<td>Luciano Ramalho</td>", html=True)

    def test_says_so_when_there_are_no_books(self) -> None:
        response = self.client.get(reverse("book-list"))

        self.assertContains(response, "No books yet.")

    def test_titles_are_escaped(self) -> None:
        Book.objects.create(title="<script>alert(1)</script>", author="Mallory")

        response = self.client.get(reverse("book-list"))

        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")


class StaticFilesTests(ThroughProxyTestCase):
    def test_stylesheet_is_served_under_a_content_hashed_name(self) -> None:
        page = self.client.get(reverse("book-list")).content.decode()
        href = re.search(r'<link rel="stylesheet" href="([^"]+)">', page).group(1)

        # collectstatic names the file after its content, so browsers may cache it for good.
        self.assertRegex(href, r"^/static/books/style\.[0-9a-f]{12}\.css$")
        response = self.client.get(href)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/css"))
        self.assertIn(b"border-collapse", b"".join(response.streaming_content))


class AdminTests(ThroughProxyTestCase):
    def test_staff_can_add_and_list_books(self) -> None:
        admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "a-long-password")
        self.client.force_login(admin)

        response = self.client.post(
            reverse("admin:books_book_add"), {"title": "Django for Beginners", "author": "William S. Vincent"}
        )

        self.assertRedirects(response, reverse("admin:books_book_changelist"))
        self.assertTrue(Book.objects.filter(title="Django for Beginners").exists())
        self.assertContains(self.client.get(reverse("admin:books_book_changelist")), "Django for Beginners")

    def test_the_admin_needs_a_login(self) -> None:
        response = self.client.get(reverse("admin:books_book_changelist"))

        self.assertRedirects(
            response,
            f"{reverse('admin:login')}?next={reverse('admin:books_book_changelist')}",
        )
