"""What is written in the OCR bench's photos: the exact ground truth, with how each text is dressed.

Documents are printed pages (letters, notices, medicine leaflets, a receipt); signs are plates put
into real photos (no entry, emergency exit, street names, bus destinations, shop signs, a warning);
labels are small product labels, medicine boxes and price tags in a photo. Spanish and English, with
every Spanish letter a reader must not lose (ñ á é í ó ú ü ¡ ¿) and prices with € and decimal commas.
A text's lines are as printed; the scoring ignores where lines break.
"""

from __future__ import annotations

from attrs import frozen

Colour = tuple[int, int, int]


@frozen
class Document:
    name: str
    lang: str
    paragraphs: tuple[str, ...]
    font: str
    title_font: str
    size: int


@frozen
class Plate:
    """A sign or a label: its lines, font, colours and how wide it is in the photo (fraction)."""

    name: str
    lang: str
    lines: tuple[str, ...]
    font: str
    ink: Colour
    paper: Colour
    width: float

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


DOCUMENTS: tuple[Document, ...] = (
    Document("doc-es-carta", "es", (
        "Madrid, 14 de marzo de 2026",
        "Estimada señora Núñez:",
        "Le escribimos para confirmar su cita en el Centro de Salud Argüelles el próximo miércoles a las "
        "diez y media. Si no puede acudir, llámenos con antelación. ¿Necesita que la acompañe alguien? "
        "Indíquelo en recepción.",
        "Atentamente,",
        "Dr. Andrés Muñoz Peña",
    ), "DejaVuSerif.ttf", "DejaVuSerif.ttf", 28),
    Document("doc-es-aviso", "es", (
        "AVISO A LOS VECINOS",
        "El próximo lunes se cortará el suministro de agua desde las ocho hasta las catorce horas por "
        "obras en la tubería general. ¡Llenen recipientes con antelación! Disculpen las molestias.",
        "La Administración",
    ), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", 30),
    Document("doc-es-prospecto", "es", (
        "Prospecto: información para el usuario",
        "Ibuprofeno 400 mg comprimidos recubiertos con película",
        "Lea todo el prospecto detenidamente antes de empezar a tomar este medicamento. Adultos y "
        "adolescentes mayores de 12 años: un comprimido cada 6 u 8 horas si es necesario. No tome más de "
        "1.200 mg al día. Consulte a su médico o farmacéutico si los síntomas empeoran o no mejoran "
        "después de 3 días. ¿Qué pasa si olvida una dosis? No tome una dosis doble para compensar.",
    ), "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", 26),
    Document("doc-es-ticket", "es", (
        "Farmacia Peñalver",
        "Ticket 4587 del 3 de febrero de 2026",
        "Omeprazol 20 mg, 28 cápsulas: 3,12 €",
        "Crema hidratante para pieles sensibles: 8,95 €",
        "Total: 12,07 €",
        "¡Gracias por su visita!",
    ), "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", 28),
    Document("doc-en-letter", "en", (
        "London, 2 May 2026",
        "Dear Mr Thompson,",
        "Thank you for your application. We are pleased to invite you to an interview on Thursday at "
        "11:30 in our office on the second floor. Please bring a photo ID and a copy of your "
        "certificates. If the time is not convenient, reply to this letter or call 020 7946 0321.",
        "Yours sincerely,",
        "Emily Carter",
    ), "DejaVuSerif.ttf", "DejaVuSerif.ttf", 28),
    Document("doc-en-notice", "en", (
        "NOTICE TO RESIDENTS",
        "The lifts in Block B will be out of service from Monday 9 June to Wednesday 11 June for "
        "maintenance. Residents who need help with shopping or stairs can ask the caretaker at the "
        "front desk. We apologise for any inconvenience.",
    ), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", 30),
    Document("doc-en-leaflet", "en", (
        "Package leaflet: information for the patient",
        "Paracetamol 500 mg tablets",
        "Take one or two tablets every four to six hours as required. Do not take more than eight "
        "tablets in 24 hours. Do not take with other medicines containing paracetamol. If you take too "
        "much, talk to a doctor at once, even if you feel well.",
    ), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", 26),
)

WHITE, BLACK = (250, 250, 250), (20, 20, 20)

SIGNS: tuple[Plate, ...] = (
    Plate("sign-es-prohibido", "es", ("PROHIBIDO EL PASO",), "DejaVuSans-Bold.ttf", WHITE, (200, 16, 30), 0.55),
    Plate("sign-es-salida", "es", ("SALIDA DE", "EMERGENCIA"), "DejaVuSans-Bold.ttf", WHITE, (0, 132, 80), 0.45),
    Plate("sign-es-calle", "es", ("Calle de Alcalá",), "DejaVuSerif-Bold.ttf", WHITE, (20, 50, 120), 0.5),
    Plate("sign-es-bus", "es", ("27 Plaza de Castilla",), "DejaVuSansMono-Bold.ttf", (255, 176, 0), (15, 15, 15),
          0.6),
    Plate("sign-es-farmacia", "es", ("FARMACIA", "Abierto 24 horas"), "DejaVuSans-Bold.ttf", (0, 120, 60),
          (245, 245, 240), 0.4),
    Plate("sign-es-panaderia", "es", ("Panadería", "La Espiga"), "DejaVuSerif-BoldItalic.ttf", (90, 50, 20),
          (240, 225, 190), 0.45),
    Plate("sign-es-cuidado", "es", ("¡CUIDADO!", "Suelo mojado"), "DejaVuSans-Bold.ttf", BLACK, (250, 204, 0),
          0.35),
    Plate("sign-en-noentry", "en", ("NO ENTRY", "Authorised personnel only"), "DejaVuSans-Bold.ttf", WHITE,
          (190, 20, 30), 0.5),
    Plate("sign-en-exit", "en", ("FIRE EXIT", "Keep clear"), "DejaVuSans-Bold.ttf", WHITE, (0, 130, 75), 0.4),
    Plate("sign-en-bus", "en", ("73 Oxford Circus",), "DejaVuSansMono-Bold.ttf", (255, 176, 0), (15, 15, 15),
          0.55),
    Plate("sign-en-street", "en", ("Baker Street NW1",), "DejaVuSans-Bold.ttf", BLACK, WHITE, 0.5),
)

LABELS: tuple[Plate, ...] = (
    Plate("label-es-leche", "es", ("Leche entera", "1 litro"), "DejaVuSans-Bold.ttf", (10, 60, 140),
          (250, 250, 250), 0.2),
    Plate("label-es-medicina", "es", ("Paracetamol 1 g", "40 comprimidos efervescentes"), "DejaVuSans.ttf",
          (20, 20, 90), (245, 248, 252), 0.26),
    Plate("label-es-precio", "es", ("Manzanas Golden", "2,49 €/kg"), "DejaVuSans-Bold.ttf", BLACK,
          (255, 230, 60), 0.18),
    Plate("label-es-aceite", "es", ("Aceite de oliva", "virgen extra 750 ml"), "DejaVuSerif-Bold.ttf",
          (30, 70, 20), (240, 236, 200), 0.22),
    Plate("label-en-medicine", "en", ("Ibuprofen 200 mg", "16 tablets"), "DejaVuSans-Bold.ttf", (150, 0, 40),
          (250, 250, 250), 0.2),
    Plate("label-en-price", "en", ("Bananas", "$1.29 per lb"), "DejaVuSans-Bold.ttf", BLACK, (255, 240, 80),
          0.16),
    Plate("label-en-jam", "en", ("Strawberry jam", "Best before 03/2027"), "DejaVuSerif.ttf", (110, 10, 30),
          (250, 240, 230), 0.22),
)
