from django.contrib import admin

from exchange.models import BlockedWord, Listing, ListingImage, ListingTag


class ImageInline(admin.TabularInline):
    model = ListingImage
    extra = 0
    fields = ("image", "position")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "category", "municipality", "owner", "state", "published_at")
    list_filter = ("state", "kind", "category", "municipality", "compensation")
    search_fields = ("title", "description", "owner__email", "owner__display_name")
    list_select_related = ("municipality", "owner")
    raw_id_fields = ("owner", "organisation")
    filter_horizontal = ("tags",)
    readonly_fields = ("created_at", "updated_at", "published_at", "state_changed_at")
    inlines = (ImageInline,)


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    """Words and phrases that send a listing to review (compared without case and å/ä/ö)."""

    list_display = ("word", "created_at")
    search_fields = ("word",)


@admin.register(ListingTag)
class ListingTagAdmin(admin.ModelAdmin):
    search_fields = ("name",)
