"""English and romanized cue words for stages and topics (glossary entries add local ones)."""

from __future__ import annotations

STAGE_CUES: dict[str, tuple[str, ...]] = {
    "pre_sowing": ("land preparation", "prepare land", "ploughing", "plough", "plowing", "tillage", "seed treatment",
                   "treat seed", "before sowing", "variety", "varieties", "which variety", "seed selection", "nursery bed",
                   "puddling", "levelling", "leveling", "soil test", "khet ki taiyari", "beej upchar", "kism", "kisme", "kismein"),
    "sowing": ("sow", "sowing", "sown", "plant", "planting", "transplant", "transplanting", "seed rate", "spacing",
               "nursery", "when to sow", "sowing time", "buwai", "buvai", "bowai", "bijai", "ropai", "ropni", "rupai",
               "boai", "lagaune", "ropne"),
    "vegetative": ("tiller", "tillers", "tillering", "seedling", "seedlings", "young", "vegetative", "knee high",
                   "top dressing", "top-dress", "weeding", "earthing up", "gap filling", "thinning", "growth stage"),
    "reproductive": ("flower", "flowering", "panicle", "heading", "ear", "ears", "earhead", "boll", "bolls", "square",
                     "squares", "tassel", "tasseling", "silk", "silking", "grain filling", "milky", "pod", "pods",
                     "booting", "anthesis", "phool", "bali", "baali", "dana"),
    "maturity": ("harvest", "harvesting", "mature", "maturity", "ripening", "ripe", "cut the crop", "katai", "katai",
                 "kataai", "combine"),
    "post_harvest": ("storage", "store", "storing", "drying", "dry the grain", "threshing", "thresh", "post harvest",
                     "post-harvest", "godown", "moisture content", "bhandaran", "stubble", "residue", "straw", "parali"),
}

TOPIC_CUES: dict[str, tuple[str, ...]] = {
    "soil": ("soil", "land", "acidic", "saline", "salinity", "alkaline", "ph", "organic matter", "mitti"),
    "seed": ("seed", "seeds", "variety", "varieties", "hybrid", "beej", "bij", "kism"),
    "nutrients": ("fertiliser", "fertilizer", "fertilisers", "fertilizers", "urea", "dap", "potash", "mop", "npk",
                  "nitrogen", "phosphorus", "potassium", "zinc", "boron", "sulphur", "sulfur", "manure", "compost",
                  "nutrient", "nutrients", "deficiency", "yellowing", "khad", "khaad", "khat", "saar", "mal"),
    "water": ("irrigation", "irrigate", "water", "watering", "drainage", "flood", "waterlogging", "sinchai", "pani",
              "paani", "awd", "drip"),
    "pests": ("pest", "pests", "insect", "insects", "borer", "worm", "caterpillar", "larva", "larvae", "aphid", "aphids",
              "hopper", "planthopper", "whitefly", "bollworm", "armyworm", "termite", "termites", "mite", "mites",
              "thrips", "jassid", "bug", "bugs", "keeda", "keede", "kida", "kide", "sundi", "poka", "kira", "rat", "rats"),
    "diseases": ("disease", "diseases", "blight", "blast", "rust", "smut", "rot", "wilt", "mildew", "virus", "spot",
                 "spots", "fungus", "fungal", "bacterial", "mosaic", "curl", "rog", "bimari", "bimaari", "rogue"),
    "weeds": ("weed", "weeds", "weeding", "herbicide", "weedicide", "kharpatwar", "khar patwar", "ghas", "jhar", "nindai"),
    "weather": ("rain", "rainfall", "drought", "heat", "heatwave", "cold", "fog", "frost", "hail", "cyclone", "storm",
                "monsoon", "weather", "flood", "barish", "baarish", "mausam"),
    "harvest": ("harvest", "harvesting", "yield", "maturity", "katai"),
    "storage": ("storage", "store", "storing", "godown", "drying", "moisture"),
    "economics": ("price", "cost", "profit", "insurance", "subsidy", "loan", "market", "msp"),
    "safety": ("ppe", "protective", "mask", "gloves", "poisoning", "safe handling"),
}
