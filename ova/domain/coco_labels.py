"""Words for the 80 COCO labels, in Spanish and English, so sentences can count them properly.

Keys are the labels as detectors write them: Darknet's ``coco.names`` (``motorbike``, ``sofa``,
``tvmonitor``...) and the names the COCO/DETR models on Hugging Face use (``motorcycle``, ``couch``,
``tv``...). A label not here keeps its English spelling.
"""

from __future__ import annotations

from attrs import frozen


@frozen
class Noun:
    singular: str
    plural: str
    feminine: bool = False


def _es(singular: str, plural: str, gender: str) -> Noun:
    return Noun(singular, plural, feminine=gender == "f")


SPANISH: dict[str, Noun] = {
    "person": _es("persona", "personas", "f"),
    "bicycle": _es("bicicleta", "bicicletas", "f"),
    "car": _es("coche", "coches", "m"),
    "motorbike": _es("moto", "motos", "f"),
    "aeroplane": _es("avión", "aviones", "m"),
    "bus": _es("autobús", "autobuses", "m"),
    "train": _es("tren", "trenes", "m"),
    "truck": _es("camión", "camiones", "m"),
    "boat": _es("barco", "barcos", "m"),
    "traffic light": _es("semáforo", "semáforos", "m"),
    "fire hydrant": _es("boca de incendios", "bocas de incendios", "f"),
    "stop sign": _es("señal de stop", "señales de stop", "f"),
    "parking meter": _es("parquímetro", "parquímetros", "m"),
    "bench": _es("banco", "bancos", "m"),
    "bird": _es("pájaro", "pájaros", "m"),
    "cat": _es("gato", "gatos", "m"),
    "dog": _es("perro", "perros", "m"),
    "horse": _es("caballo", "caballos", "m"),
    "sheep": _es("oveja", "ovejas", "f"),
    "cow": _es("vaca", "vacas", "f"),
    "elephant": _es("elefante", "elefantes", "m"),
    "bear": _es("oso", "osos", "m"),
    "zebra": _es("cebra", "cebras", "f"),
    "giraffe": _es("jirafa", "jirafas", "f"),
    "backpack": _es("mochila", "mochilas", "f"),
    "umbrella": _es("paraguas", "paraguas", "m"),
    "handbag": _es("bolso", "bolsos", "m"),
    "tie": _es("corbata", "corbatas", "f"),
    "suitcase": _es("maleta", "maletas", "f"),
    "frisbee": _es("frisbi", "frisbis", "m"),
    "skis": _es("par de esquís", "pares de esquís", "m"),
    "snowboard": _es("tabla de snowboard", "tablas de snowboard", "f"),
    "sports ball": _es("pelota", "pelotas", "f"),
    "kite": _es("cometa", "cometas", "f"),
    "baseball bat": _es("bate de béisbol", "bates de béisbol", "m"),
    "baseball glove": _es("guante de béisbol", "guantes de béisbol", "m"),
    "skateboard": _es("monopatín", "monopatines", "m"),
    "surfboard": _es("tabla de surf", "tablas de surf", "f"),
    "tennis racket": _es("raqueta de tenis", "raquetas de tenis", "f"),
    "bottle": _es("botella", "botellas", "f"),
    "wine glass": _es("copa", "copas", "f"),
    "cup": _es("taza", "tazas", "f"),
    "fork": _es("tenedor", "tenedores", "m"),
    "knife": _es("cuchillo", "cuchillos", "m"),
    "spoon": _es("cuchara", "cucharas", "f"),
    "bowl": _es("cuenco", "cuencos", "m"),
    "banana": _es("plátano", "plátanos", "m"),
    "apple": _es("manzana", "manzanas", "f"),
    "sandwich": _es("sándwich", "sándwiches", "m"),
    "orange": _es("naranja", "naranjas", "f"),
    "broccoli": _es("brócoli", "brócolis", "m"),
    "carrot": _es("zanahoria", "zanahorias", "f"),
    "hot dog": _es("perrito caliente", "perritos calientes", "m"),
    "pizza": _es("pizza", "pizzas", "f"),
    "donut": _es("dónut", "dónuts", "m"),
    "cake": _es("pastel", "pasteles", "m"),
    "chair": _es("silla", "sillas", "f"),
    "sofa": _es("sofá", "sofás", "m"),
    "pottedplant": _es("planta en maceta", "plantas en maceta", "f"),
    "bed": _es("cama", "camas", "f"),
    "diningtable": _es("mesa", "mesas", "f"),
    "toilet": _es("inodoro", "inodoros", "m"),
    "tvmonitor": _es("televisor", "televisores", "m"),
    "laptop": _es("portátil", "portátiles", "m"),
    "mouse": _es("ratón", "ratones", "m"),
    "remote": _es("mando a distancia", "mandos a distancia", "m"),
    "keyboard": _es("teclado", "teclados", "m"),
    "cell phone": _es("teléfono móvil", "teléfonos móviles", "m"),
    "microwave": _es("microondas", "microondas", "m"),
    "oven": _es("horno", "hornos", "m"),
    "toaster": _es("tostadora", "tostadoras", "f"),
    "sink": _es("fregadero", "fregaderos", "m"),
    "refrigerator": _es("frigorífico", "frigoríficos", "m"),
    "book": _es("libro", "libros", "m"),
    "clock": _es("reloj", "relojes", "m"),
    "vase": _es("jarrón", "jarrones", "m"),
    "scissors": _es("par de tijeras", "pares de tijeras", "m"),
    "teddy bear": _es("oso de peluche", "osos de peluche", "m"),
    "hair drier": _es("secador de pelo", "secadores de pelo", "m"),
    "toothbrush": _es("cepillo de dientes", "cepillos de dientes", "m"),
}

# English words where the label is not one (Darknet's run-together names) or the plural is irregular.
ENGLISH: dict[str, Noun] = {
    "person": Noun("person", "people"),
    "sheep": Noun("sheep", "sheep"),
    "skis": Noun("pair of skis", "pairs of skis"),
    "knife": Noun("knife", "knives"),
    "broccoli": Noun("head of broccoli", "heads of broccoli"),
    "pottedplant": Noun("potted plant", "potted plants"),
    "diningtable": Noun("dining table", "dining tables"),
    "tvmonitor": Noun("TV monitor", "TV monitors"),
    "tv": Noun("TV", "TVs"),
    "mouse": Noun("mouse", "mice"),
    "remote": Noun("remote control", "remote controls"),
    "scissors": Noun("pair of scissors", "pairs of scissors"),
    "hair drier": Noun("hair dryer", "hair dryers"),
}

# Spanish for the names the COCO models on Hugging Face (DETR, YOLOS...) give the same objects.
_ALIASES = {
    "motorcycle": "motorbike",
    "airplane": "aeroplane",
    "couch": "sofa",
    "potted plant": "pottedplant",
    "dining table": "diningtable",
    "tv": "tvmonitor",
    "hair dryer": "hair drier",
}


def _english_plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def english_noun(label: str) -> Noun:
    key = label.strip().lower()
    return ENGLISH.get(key) or Noun(key, _english_plural(key))


def spanish_noun(label: str) -> Noun:
    """The Spanish word; an unknown label keeps its English spelling (and is taken as masculine)."""
    key = label.strip().lower()
    return SPANISH.get(_ALIASES.get(key, key)) or english_noun(key)
