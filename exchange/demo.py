"""Demo data for the embedded setup (``make run``): a living marketplace in all eleven
municipalities, written through the same services as the API, with a few listings waiting for
review and a few reported, so the moderation queue has work in it."""

import contextlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from exchange import listings, moderation
from exchange.models import Listing
from smartplatform.accounts.models import User
from smartplatform.organisations.models import Municipality, Organisation

# (email, name, home municipality, established)
RESIDENTS = (
    ("birgitta@example.com", "Birgitta Holm", "1283", True),
    ("omar@example.com", "Omar Haddad", "1282", True),
    ("karin@example.com", "Karin Nilsson", "1284", True),
    ("johan@example.com", "Johan Persson", "1292", True),
    ("leila@example.com", "Leila Ahmadi", "1260", True),
    ("sven@example.com", "Sven Olsson", "1257", True),
    ("maria@example.com", "Maria Berg", "1277", True),
    ("erik@example.com", "Erik Lund", "1278", True),
    ("nils@example.com", "Nils Ek", "1276", False),
    ("emma@example.com", "Emma Svensson", "1275", True),
    ("ali@example.com", "Ali Yilmaz", "1214", True),
)


@dataclass(frozen=True)
class Demo:
    owner: str  # resident email, or an organisation slug
    municipality: str
    kind: str
    category: str
    title: str
    description: str
    tags: tuple[str, ...] = ()
    compensation: str = "free"
    hours: str | None = None
    amount_sek: int | None = None
    remote: bool = False
    availability: str = ""
    accessibility: str = ""
    offset: tuple[float, float] | None = None  # from the municipality's centre


LISTINGS = (
    Demo(
        "birgitta@example.com",
        "1283",
        "offer",
        "service",
        "Hjälp i trädgården",
        "Pensionär som gärna klipper gräsmattor, rensar rabatter och beskär buskar. "
        "Har egen sekatör och handskar.",
        ("trädgård", "gräsklippning"),
        "time_credits",
        "2",
        availability="Vardagar efter lunch",
    ),
    Demo(
        "omar@example.com",
        "1282",
        "offer",
        "expertise",
        "Läxhjälp i matte och fysik",
        "Ingenjörsstudent hjälper högstadie- och gymnasieelever med matematik och fysik.",
        ("läxhjälp", "matematik"),
        "time_credits",
        "1",
        remote=True,
        availability="Måndagar och onsdagar 17-19",
    ),
    Demo(
        "karin@example.com",
        "1284",
        "offer",
        "car",
        "Elbil att låna på helger",
        "Vår Renault Zoe står still på helgerna. Räckvidd cirka 300 km, laddkabel finns.",
        ("elbil",),
        "paid",
        amount_sek=250,
        availability="Lördag och söndag",
        offset=(0.004, -0.003),
    ),
    Demo(
        "johan@example.com",
        "1292",
        "request",
        "service",
        "Skjuts till vårdcentralen",
        "Behöver skjuts till vårdcentralen i Ängelholm varannan tisdag förmiddag.",
        ("skjuts", "vård"),
        "time_credits",
        "1",
        availability="Tisdagar 9-11",
    ),
    Demo(
        "leila@example.com",
        "1260",
        "offer",
        "service",
        "Syr om och lagar kläder",
        "Lagar dragkedjor, kortar byxor och syr om gardiner. Hämtar gärna i Bjuv.",
        ("sömnad", "återbruk"),
        "swap",
    ),
    Demo(
        "sven@example.com",
        "1257",
        "offer",
        "expertise",
        "Hjälp med mobilen och datorn",
        "Pensionerad IT-tekniker hjälper äldre med BankID, Swish och videosamtal.",
        ("digital hjälp", "bankid"),
        "free",
        availability="Torsdagar på biblioteket",
    ),
    Demo(
        "maria@example.com",
        "1277",
        "request",
        "space",
        "Lokal för stickcafé",
        "Vi är tio som stickar och fikar. Söker en lokal med kök en kväll i veckan.",
        ("lokal", "fika"),
        "free",
        accessibility="Behöver vara utan trappsteg",
    ),
    Demo(
        "erik@example.com",
        "1278",
        "offer",
        "car",
        "Plats i bilen till Helsingborg",
        "Pendlar från Båstad till Helsingborg vardagar 07.10, hem 16.30. Två platser.",
        ("samåkning", "pendling"),
        "paid",
        amount_sek=40,
        availability="Vardagar",
    ),
    Demo(
        "emma@example.com",
        "1275",
        "offer",
        "space",
        "Föreningslokal i Perstorp",
        "Ljus lokal för 30 personer med projektor, kök och wifi. Hörslinga finns.",
        ("lokal", "möten"),
        "free",
        accessibility="Entré utan trappsteg, RWC",
        offset=(0.002, 0.001),
    ),
    Demo(
        "ali@example.com",
        "1214",
        "offer",
        "service",
        "Cykelreparationer",
        "Lagar punkteringar, byter bromsklossar och justerar växlar. Du bjuder på kaffe.",
        ("cykel", "reparation"),
        "swap",
    ),
    Demo(
        "birgitta@example.com",
        "1283",
        "request",
        "expertise",
        "Hjälp att plantera fruktträd",
        "Vill plantera två äppelträd i koloniträdgården och behöver råd om sorter.",
        ("trädgård", "fruktträd"),
        "time_credits",
        "1",
    ),
    Demo(
        "karin@example.com",
        "1284",
        "offer",
        "expertise",
        "Kurs i grönsaksodling",
        "Odlingsrådgivare håller en kvällskurs om att odla i pallkragar.",
        ("odling",),
        "free",
        availability="Våren, tre kvällar",
    ),
    Demo(
        "sven@example.com",
        "1257",
        "request",
        "car",
        "Släpvagn att låna en dag",
        "Ska köra trädgårdsavfall till återvinningscentralen, behöver släp en lördag.",
        ("släpvagn",),
        "swap",
    ),
    Demo(
        "omar@example.com",
        "1282",
        "offer",
        "service",
        "Help moving furniture",
        "Strong and friendly: I help you carry furniture up and down the stairs.",
        ("moving",),
        "time_credits",
        "2",
    ),
    Demo(
        "emma@example.com",
        "1275",
        "request",
        "expertise",
        "English conversation partner",
        "Looking for someone to practise Swedish with me, and I help with English in return.",
        ("language", "språkcafé"),
        "swap",
        remote=True,
    ),
    Demo(
        "grannhjalpen-helsingborg",
        "1283",
        "offer",
        "service",
        "Handlingshjälp för äldre",
        "Våra volontärer handlar mat och hämtar ut medicin åt dig som inte kan själv.",
        ("handla", "äldre"),
        "free",
        availability="Måndag-fredag",
    ),
    Demo(
        "hoganas",
        "1284",
        "offer",
        "space",
        "Mötesrum på stadsbiblioteket",
        "Bokningsbart mötesrum för föreningar: 12 platser, skärm och wifi.",
        ("lokal", "bibliotek"),
        "free",
        accessibility="Hiss och hörslinga",
        offset=(0.001, 0.002),
    ),
    Demo(
        "hoganas",
        "1284",
        "request",
        "expertise",
        "Erfarenhet av digitala tvillingar",
        "Höganäs kommun söker kommuner som byggt en digital tvilling för samhällsplanering.",
        ("digital tvilling", "samhällsbyggnad"),
        "free",
        remote=True,
    ),
    Demo(
        "leila@example.com",
        "1260",
        "request",
        "service",
        "Barnvakt två kvällar",
        "Söker en trygg barnvakt till två barn (5 och 8 år) två kvällar i månaden.",
        ("barnvakt",),
        "time_credits",
        "3",
    ),
    Demo(
        "maria@example.com",
        "1276",
        "offer",
        "service",
        "Promenadsällskap",
        "Tar gärna promenader med den som inte vill gå ensam. Även med rullator.",
        ("promenad", "sällskap"),
        "free",
    ),
    Demo(
        "erik@example.com",
        "1278",
        "offer",
        "expertise",
        "Deklarationshjälp",
        "Hjälper pensionärer med deklarationen och att förstå skatteverkets brev.",
        ("ekonomi",),
        "time_credits",
        "1",
    ),
    Demo(
        "ali@example.com",
        "1214",
        "request",
        "space",
        "Verkstadsplats för cykelkök",
        "Söker ett garage eller förråd för ett öppet cykelkök en lördag i månaden.",
        ("cykel", "lokal"),
        "free",
    ),
    Demo(
        "johan@example.com",
        "1292",
        "offer",
        "car",
        "Elcykel med kärra",
        "Lånar ut lådcykel med el för storhandling eller flytt av småsaker.",
        ("lådcykel", "elcykel"),
        "free",
    ),
)
# By a resident not yet established: these wait for a moderator.
PENDING = (
    Demo(
        "nils@example.com",
        "1276",
        "offer",
        "service",
        "Snöskottning i Klippan",
        "Skottar uppfarter och trappor när det snöar. Har egen snöslunga.",
        ("snö",),
        "paid",
        amount_sek=150,
    ),
    Demo(
        "nils@example.com",
        "1276",
        "request",
        "car",
        "Bil till Ikea i Helsingborg",
        "Behöver låna en kombi en eftermiddag för att hämta en bokhylla.",
        ("bil",),
        "swap",
    ),
)
# (listing title, reporters' emails, reason): the last one has three reports and is hidden.
REPORTED = (
    ("Cykelreparationer", ("omar@example.com",), "spam"),
    (
        "Help moving furniture",
        ("sven@example.com", "maria@example.com", "erik@example.com"),
        "other",
    ),
)


def _resident(email: str, name: str, home: str, established: bool) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"display_name": name, "home_municipality_id": home}
    )
    if created:
        user.set_password(settings.DEMO_RESIDENT_PASSWORD)
        user.established_at = timezone.now() if established else None
        user.save(update_fields=["password", "established_at"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _owner_and_organisation(owner: str) -> tuple[User, Organisation | None]:
    if "@" in owner:
        return User.objects.get(email=owner), None
    organisation = Organisation.objects.get(slug=owner)
    editor = (
        User.objects.filter(
            memberships__organisation=organisation, memberships__role__in=("editor", "admin")
        )
        .order_by("pk")
        .first()
    )
    if editor is None:
        raise ValueError(f"The demo organisation {owner} has no editor.")
    return editor, organisation


def _create(demo: Demo) -> Listing:
    owner, organisation = _owner_and_organisation(demo.owner)
    existing = Listing.objects.filter(owner=owner, title=demo.title).first()
    if existing is not None:
        return existing
    municipality = Municipality.objects.get(code=demo.municipality)
    point = (
        (municipality.latitude + demo.offset[0], municipality.longitude + demo.offset[1])
        if demo.offset
        else (None, None)
    )
    values: dict[str, Any] = {
        "kind": demo.kind,
        "category": demo.category,
        "title": demo.title,
        "description": demo.description,
        "tags": list(demo.tags),
        "municipality": municipality,
        "organisation": organisation,
        "latitude": point[0],
        "longitude": point[1],
        "remote": demo.remote,
        "compensation": demo.compensation,
        "hours": Decimal(demo.hours) if demo.hours else None,
        "amount_sek": demo.amount_sek,
        "availability": demo.availability,
        "accessibility": demo.accessibility,
    }
    listing = listings.create_listing(
        actor=owner, data=listings.ListingData(**values, given=set(values))
    )
    return listings.publish_listing(actor=owner, listing=listing)


@dataclass(frozen=True)
class DemoExchange:
    listing: str  # title
    responder: str  # email
    state: str  # proposed, accepted or completed
    # (who wrote it: "owner" or "responder", text), oldest first; the first opens the exchange
    messages: tuple[tuple[str, str], ...]
    # (who wrote it, rating, text)
    reviews: tuple[tuple[str, int, str], ...] = ()


EXCHANGES = (
    DemoExchange(
        "Hjälp i trädgården",
        "sven@example.com",
        "completed",
        (
            ("responder", "Hej Birgitta! Kan du hjälpa mig att klippa häcken före midsommar?"),
            ("owner", "Absolut, jag kommer på torsdag efter lunch."),
            ("responder", "Tack för i dag, det blev jättefint!"),
        ),
        (
            ("responder", 5, "Snabb, noggrann och trevlig. Häcken har aldrig varit finare."),
            ("owner", 5, "Sven bjöd på kaffe och hjälpte till att bära riset. Rekommenderas!"),
        ),
    ),
    DemoExchange(
        "Läxhjälp i matte och fysik",
        "emma@example.com",
        "completed",
        (
            ("responder", "Min son behöver hjälp inför provet i ekvationer, går det via video?"),
            ("owner", "Ja, vi tar det på onsdag kl 17 på video."),
        ),
        (("responder", 4, "Pedagogisk och tålmodig. Sonen klarade provet!"),),
    ),
    DemoExchange(
        "Skjuts till vårdcentralen",
        "erik@example.com",
        "accepted",
        (
            ("responder", "Jag kör till Ängelholm varannan tisdag ändå, du får gärna följa med."),
            ("owner", "Tack! Jag står utanför porten klockan nio."),
        ),
    ),
    DemoExchange(
        "Syr om och lagar kläder",
        "karin@example.com",
        "proposed",
        (("responder", "Hej! Kan du korta två par byxor åt mig?"),),
    ),
)


def _exchange(demo: DemoExchange) -> None:
    from exchange import exchanges, reviews, threads
    from exchange.models import Exchange

    listing = Listing.objects.get(title=demo.listing)
    responder = User.objects.get(email=demo.responder)
    if Exchange.objects.filter(listing=listing, responder=responder).exists():
        return  # loaded before
    sides = {"owner": listing.owner, "responder": responder}
    (_first_writer, first_text), *rest = demo.messages
    exchange = exchanges.propose(actor=responder, listing=listing, message=first_text)
    if demo.state in ("accepted", "completed"):
        exchanges.accept(actor=listing.owner, exchange=exchange)
    for writer, text in rest:
        threads.write(actor=sides[writer], exchange=exchange, body=text)
    if demo.state == "completed":
        exchanges.confirm(actor=listing.owner, exchange=exchange)
        exchanges.confirm(actor=responder, exchange=exchange)
    for writer, rating, text in demo.reviews:
        reviews.write(actor=sides[writer], exchange=exchange, rating=rating, text=text)


def _gift() -> None:
    from exchange import timebank
    from exchange.models import Transfer

    giver = User.objects.get(email="birgitta@example.com")
    note = "Tack för läxhjälpen till barnbarnet!"
    if not Transfer.objects.filter(created_by=giver, note=note).exists():
        receiver = User.objects.get(email="omar@example.com")
        timebank.give_hours(giver=giver, recipient_id=receiver.pk, hours="1", note=note)


# --- Bookable cars, spaces and lifts ----------------------------------------------------------

# (organisation slug, editor email, editor name): municipal staff who publish the
# municipalities' cars and rooms.
MUNICIPAL_EDITORS = (
    ("helsingborg", "fordon@example.com", "Eva Fordonsenheten"),
    ("landskrona", "bibliotek@example.com", "Lena på biblioteket"),
    ("klippan", "kontorshotell@example.com", "Per Näringsliv Klippan"),
)

BOOKABLE = (
    Demo(
        "helsingborg",
        "1283",
        "offer",
        "car",
        "Kommunens bilpool: elbilar för anställda och föreningar",
        "Helsingborgs stads bilpool: tre elbilar vid Stadshuset som föreningar får boka "
        "vardagkvällar och helger.",
        ("bilpool", "elbil"),
        availability="Vardagar 17-22, helger",
        offset=(0.001, 0.002),
    ),
    Demo(
        "erik@example.com",
        "1278",
        "offer",
        "car",
        "Elbil som grannarna i Båstad delar",
        "Vi är fem hushåll som delar en Kia e-Niro. Boka en dag i förväg, ladda efter dig.",
        ("elbil", "bildelning"),
        "time_credits",
        "1",
        offset=(0.003, -0.004),
    ),
    Demo(
        "emma@example.com",
        "1275",
        "offer",
        "car",
        "Samåkning Perstorp-Helsingborg varje måndag",
        "Jag kör till jobbet i Helsingborg varje måndag 07.00 och tar gärna med tre personer.",
        ("samåkning", "pendling"),
    ),
    Demo(
        "landskrona",
        "1282",
        "offer",
        "space",
        "Mötesrum på Landskrona stadsbibliotek",
        "Ljust mötesrum för 20 personer med projektor och hörslinga. Gratis för föreningar.",
        ("mötesrum", "bibliotek"),
        availability="Måndag-fredag 9-20",
        accessibility="Hiss, trappfritt, hörslinga",
        offset=(0.002, 0.001),
    ),
    Demo(
        "leila@example.com",
        "1260",
        "offer",
        "space",
        "Föreningskök i Bjuv",
        "Storkök med plats för 12 som lagar mat tillsammans. Städa efter er!",
        ("kök", "förening"),
        availability="Kvällar och helger",
        offset=(-0.001, 0.002),
    ),
    Demo(
        "klippan",
        "1276",
        "offer",
        "space",
        "Kontorshotell i Klippan",
        "Arbetsplatser med wifi och kaffe nära stationen, för dig som vill slippa pendla.",
        ("kontor", "distansarbete"),
        availability="Vardagar 7-18",
        offset=(0.001, -0.001),
    ),
)

# Title -> (facts, equipment, opening hours as (weekdays, opens, closes)).
RESOURCES: dict[str, tuple[dict[str, Any], tuple[str, ...], tuple[Any, ...]]] = {
    "Kommunens bilpool: elbilar för anställda och föreningar": (
        {
            "seats": 5,
            "fuel": "el",
            "range_km": 400,
            "pickup_place": "Stadshusets garage, plan -1",
            "instant_booking": True,
            "max_duration_minutes": 12 * 60,
            "monthly_quota_hours": 24,
            "buffer_minutes": 30,
        },
        ("child_seat",),
        (),
    ),
    "Elbil som grannarna i Båstad delar": (
        {
            "seats": 5,
            "fuel": "el",
            "range_km": 450,
            "pickup_place": "Parkeringen vid Köpmansgatan",
            "minimum_driver_age": 20,
            "max_duration_minutes": 24 * 60,
            "cancellation_deadline_hours": 12,
        },
        ("towbar",),
        (),
    ),
    "Mötesrum på Landskrona stadsbibliotek": (
        {
            "capacity": 20,
            "step_free": True,
            "hearing_loop": True,
            "accessible_toilet": True,
            "house_rules": "Ställ tillbaka möblerna. Inga levande ljus.",
            "buffer_minutes": 15,
        },
        ("projector", "wifi", "whiteboard"),
        ((range(5), "09:00", "20:00"),),
    ),
    "Föreningskök i Bjuv": (
        {"capacity": 12, "step_free": True, "house_rules": "Diska och torka av efter er."},
        ("kitchen", "coffee"),
        ((range(5), "16:00", "22:00"), ((5, 6), "09:00", "22:00")),
    ),
    "Kontorshotell i Klippan": (
        {"capacity": 8, "step_free": True, "instant_booking": True, "min_duration_minutes": 60},
        ("wifi", "coffee", "parking"),
        ((range(5), "07:00", "18:00"),),
    ),
}


def _municipal_editor(slug: str, email: str, name: str) -> None:
    from smartplatform.organisations.models import Membership

    organisation = Organisation.objects.get(slug=slug)
    editor = _resident(email, name, organisation.municipality_id or "1283", True)
    Membership.objects.get_or_create(
        organisation=organisation, user=editor, defaults={"role": "editor"}
    )


def _next(weekday: int, hour: int) -> datetime:
    from zoneinfo import ZoneInfo

    day = timezone.localdate() + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo("Europe/Stockholm"))


def _bookable() -> int:
    from exchange import bookings, lifts, resources
    from exchange.models import Booking, SeatBooking

    for slug, email, name in MUNICIPAL_EDITORS:
        _municipal_editor(slug, email, name)
    for demo in BOOKABLE:
        _create(demo)
    for title, (facts, equipment, hours) in RESOURCES.items():
        listing = Listing.objects.get(title=title)
        owner, _organisation = _owner_and_organisation(
            next(d.owner for d in BOOKABLE if d.title == title)
        )
        resources.describe(
            actor=owner,
            listing=listing,
            facts=facts,
            equipment=list(equipment),
            opening_hours=[
                {
                    "weekday": day,
                    "opens": time.fromisoformat(opens),
                    "closes": time.fromisoformat(closes),
                }
                for days, opens, closes in hours
                for day in days
            ],
        )
    lift = Listing.objects.get(title="Samåkning Perstorp-Helsingborg varje måndag")
    trip = lifts.describe_trip(
        actor=lift.owner,
        listing=lift,
        facts={
            "from_municipality": Municipality.objects.get(code="1275"),
            "to_municipality": Municipality.objects.get(code="1283"),
            "departs_at": _next(0, 7),
            "flexibility_minutes": 10,
            "seats": 3,
            "weekly": True,
        },
    )
    booked = 0
    sven = User.objects.get(email="sven@example.com")
    if not SeatBooking.objects.filter(trip=trip, passenger=sven).exists():
        lifts.book_seats(passenger=sven, trip=trip, departure=trip.departs_at, seats=1)
        booked += 1
    wishes = (
        (
            "Kommunens bilpool: elbilar för anställda och föreningar",
            "omar@example.com",
            (5, 10, 14),
        ),
        ("Mötesrum på Landskrona stadsbibliotek", "maria@example.com", (2, 18, 20)),
        ("Föreningskök i Bjuv", "johan@example.com", (3, 17, 21)),
        ("Kontorshotell i Klippan", "karin@example.com", (1, 8, 12)),
    )
    for title, email, (weekday, start, end) in wishes:
        resource = Listing.objects.get(title=title).resource
        booker = User.objects.get(email=email)
        if Booking.objects.filter(resource=resource, booker=booker).exists():
            continue
        begins = _next(weekday, start)
        made = bookings.book(
            booker=booker,
            resource=resource,
            slots=[bookings.Slot(begins, begins.replace(hour=end))],
            note="Demobokning",
            driver_confirmed=resource.listing.category == Listing.Category.CAR,
        )
        if made[0].state == Booking.State.REQUESTED and title.startswith("Mötesrum"):
            owner, _organisation = _owner_and_organisation("landskrona")
            bookings.approve(actor=owner, booking=made[0])
        booked += len(made)
    return booked


def load() -> str:
    for resident in RESIDENTS:
        _resident(*resident)
    created = [_create(demo) for demo in (*LISTINGS, *PENDING)]
    for demo in EXCHANGES:
        _exchange(demo)
    _gift()
    _bookable()
    for title, reporters, reason in REPORTED:
        listing = Listing.objects.get(title=title)
        for email in reporters:
            reporter = User.objects.get(email=email)
            with contextlib.suppress(moderation.AlreadyReported):  # loaded before
                moderation.report(
                    reporter=reporter, kind="listing", item_id=listing.pk, reason=reason
                )
    states = {str(state): Listing.objects.filter(state=state).count() for state in Listing.State}
    return (
        f"{len(created)} listings ({states['published']} published, "
        f"{states['pending_review']} waiting for review, {states['hidden']} hidden after "
        f"reports), {len(EXCHANGES)} exchanges, {len(RESOURCES)} bookable cars and spaces and "
        f"a weekly lift; residents "
        f"{', '.join(r[0] for r in RESIDENTS[:2])}... / "
        f"{settings.DEMO_RESIDENT_PASSWORD}"
    )
