"""Bundled example case: the rare-earth magnet chain among allies.

Six allies (US, Japan, South Korea, Australia, EU, Taiwan) need sintered NdFeB magnets.
The case follows the processing chain mine → separation → magnet plant with three goods:

* ``concentrate``  mixed rare-earth mineral concentrate, tonnes of REO contained;
* ``NdPr``         separated neodymium-praseodymium oxide, tonnes;
* ``NdFeB``        sintered neodymium-iron-boron permanent magnets, tonnes.

The ``Recipes`` sheet links them: a tonne of NdPr oxide takes about 7 t REO of
Mountain Pass-type bastnäsite concentrate (4.5 t of richer Mt Weld concentrate in
Australia), and a tonne of magnet takes 0.3 t of NdPr oxide. China mines about 70 % of
the world's rare earths but separates about 90 % and makes about 90 % of the magnets, so
the allies' weak link is the middle and the end of the chain: the US mines far more
concentrate than it can separate, Australia's Lynas separates more NdPr than its
offtakers in Japan and the EU take, but allied magnet making is small outside Japan.
A Chinese cut on oxide therefore idles Japanese magnet lines, and with them the
Japanese magnets the US, EU, South Korea, Taiwan and Australia import, unless stock,
spare capacity or sharing covers it. Lynas's Malaysian separation plant, fed only by
Mt Weld concentrate, is counted in Australia's node (Lynas is Australian; the plant's
output is sold by Lynas), so the Australian mine feeds allied separation.

The case asks what stockpiles, reserved spare capacity and emergency sharing the allies
should buy against a repeat of China's 2010 export halt to Japan, a wide Chinese export
cut like the April 2025 licensing regime, a Myanmar supply shock and a magnet demand
surge. The horizon is one year of 12 monthly periods (period 1 = January;
``periods_per_year`` 12, so scenario costs count once a year). Annual public figures
are divided by 12 to get tonnes per month. Every stockpile, spare capacity and sharing
link acts only from a scenario's onset (the first period of its earliest Disruptions
row); in normal times stock is never drawn.

Every public figure used and every assumption made is listed, with its source, in
``SOURCES`` (the ``Sources`` sheet of the workbook, which the case reader skips).
Figures without a public source are round, plausible numbers chosen for illustration,
and ``SOURCES`` says so.

Run ``python inputs/rare_earths_data.py`` to (re)write ``inputs/rare_earths.xlsx``, or
pass another path as the first argument.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

# --- prices and stock parameters (see SOURCES) ---------------------------------------------
NDPR_PRICE = 55_000  # USD per t of NdPr oxide: mid-range of 2024 prices (44-60 USD/kg)
NDFEB_PRICE = 60_000  # USD per t of sintered magnet block (illustrative)
REFILL_MARKUP = 1.5  # buying stock back after an emergency costs 50 % more (illustrative)
STORAGE_RATE = 0.01  # storage and insurance, fraction of value per year (illustrative)
NDFEB_LOSS_RATE = 0.02  # magnet stock: corrosion and obsolescence of grades (illustrative)
NDFEB_DRAW_SHARE = 0.5  # magnet stock released per month, fraction of monthly demand
STOCK_MONTHS = 6  # storage limit, months of use (the 180-day JOGMEC upper target)

SETTINGS = [
    ("periods", 12),
    ("period_unit", "month"),
    ("period_days", 30),
    ("currency", "USD"),
    ("capital_rate", 0.05),
    ("periods_per_year", 12),
]

# budget left blank (None): no cap on any ally's stage-one spending.
COUNTRIES = [
    {"country": "US", "role": "ally", "budget": None},
    {"country": "Japan", "role": "ally", "budget": None},
    {"country": "South Korea", "role": "ally", "budget": None},
    {"country": "Australia", "role": "ally", "budget": None},
    {"country": "EU", "role": "ally", "budget": None},
    {"country": "Taiwan", "role": "ally", "budget": None},
    {"country": "China", "role": "supplier", "budget": None},
    {"country": "Myanmar", "role": "supplier", "budget": None},
]

# The penalties of concentrate and NdPr never apply (no ally demands them directly:
# they are inputs of the next step), but the Goods sheet requires one.
GOODS = [
    {"good": "concentrate", "unit": "t REO", "shortage_penalty": 20_000},
    {"good": "NdPr", "unit": "t", "shortage_penalty": 200_000},
    {"good": "NdFeB", "unit": "t", "shortage_penalty": 500_000},
]

# NdFeB magnets, t per month; shortage_penalty None = the good's penalty.
NDFEB_DEMAND = {"US": 800, "Japan": 800, "South Korea": 400, "Australia": 20, "EU": 1_500,
                "Taiwan": 150}
DEMAND = [{"country": c, "good": "NdFeB", "demand": d, "shortage_penalty": None}
          for c, d in NDFEB_DEMAND.items()]

# One input of a processing step: ratio = t of input per t of good made.
RECIPES = [
    {"country": "*", "good": "NdPr", "input": "concentrate", "ratio": 7.0},
    {"country": "Australia", "good": "NdPr", "input": "concentrate", "ratio": 4.5},
    {"country": "*", "good": "NdFeB", "input": "NdPr", "ratio": 0.3},
]


def _plant(country, good, capacity, unit_cost, spare_cost=None, spare_max=None, ramp=None):
    return {"country": country, "good": good, "capacity": capacity, "unit_cost": unit_cost,
            "spare_cost": spare_cost, "spare_max": spare_max, "ramp_periods": ramp}


# capacity in t per month; unit_cost USD/t, the processing cost alone where the good has a
# recipe (its inputs are paid where they are made or imported); spare_cost USD per year
# per t/month reserved (None = no spare option); spare_max t per month; ramp_periods
# months from a scenario's onset before reserved spare capacity can run.
SEPARATION_SPARE_COST = 150_000
MAGNET_SPARE_COST = 60_000
CONCENTRATE_PRICE = 4_700  # USD per t REO: MP Materials' realised price, Q4 2024
PRODUCTION = [
    # mines (t REO in concentrate)
    _plant("US", "concentrate", 3_790, CONCENTRATE_PRICE),
    _plant("Australia", "concentrate", 2_200, CONCENTRATE_PRICE),
    # separation (t NdPr oxide)
    _plant("US", "NdPr", 108, 25_000),
    _plant("Australia", "NdPr", 471, 37_000),
    _plant("EU", "NdPr", 20, 30_000, SEPARATION_SPARE_COST, 60, 4),
    # magnet plants (t NdFeB)
    _plant("Japan", "NdFeB", 900, 40_000, MAGNET_SPARE_COST, 150, 2),
    _plant("US", "NdFeB", 20, 44_000, MAGNET_SPARE_COST, 150, 4),
    _plant("EU", "NdFeB", 80, 42_000, MAGNET_SPARE_COST, 150, 4),
    _plant("South Korea", "NdFeB", 20, 40_000),
]


def _route(origin, destination, good, volume, unit_cost):
    return {"origin": origin, "destination": destination, "good": good, "volume": volume,
            "unit_cost": unit_cost}


# volume in t per month available in normal times; unit_cost USD/t delivered. China's
# goods are bought at their price; on a route whose origin is an ally the good comes out
# of that ally's own supply (its making is already costed there), so unit_cost is freight.
CHINA_NDPR = 55_000
CHINA_NDFEB = 50_000
IMPORTS = [
    # NdPr oxide for the magnet makers.
    _route("China", "Japan", "NdPr", 180, CHINA_NDPR),
    _route("Australia", "Japan", "NdPr", 100, 1_500),
    _route("US", "Japan", "NdPr", 20, 2_000),
    _route("Australia", "EU", "NdPr", 30, 2_000),
    _route("China", "South Korea", "NdPr", 8, CHINA_NDPR),
    # Mountain Pass concentrate for EU separation.
    _route("US", "EU", "concentrate", 140, 500),
    # NdFeB magnets: China about 90 per cent of world output; Japan the main other maker.
    _route("China", "US", "NdFeB", 710, CHINA_NDFEB),
    _route("Japan", "US", "NdFeB", 80, 3_000),
    _route("China", "Japan", "NdFeB", 120, CHINA_NDFEB),
    _route("China", "South Korea", "NdFeB", 355, CHINA_NDFEB),
    _route("Japan", "South Korea", "NdFeB", 30, 1_500),
    _route("China", "Australia", "NdFeB", 18, CHINA_NDFEB),
    _route("Japan", "Australia", "NdFeB", 5, 2_500),
    _route("China", "EU", "NdFeB", 1_380, CHINA_NDFEB),
    _route("Japan", "EU", "NdFeB", 50, 3_000),
    _route("China", "Taiwan", "NdFeB", 132, CHINA_NDFEB),
    _route("Japan", "Taiwan", "NdFeB", 20, 1_500),
]


def _stock(country, good, maximum, initial=0):
    """One Stockpiles row; an initial stock is also the floor so it is not written off."""
    if good == "NdPr":
        price, loss, max_draw = NDPR_PRICE, 0.0, None
    else:
        price, loss = NDFEB_PRICE, NDFEB_LOSS_RATE
        max_draw = round(NDFEB_DRAW_SHARE * NDFEB_DEMAND[country])
    return {"country": country, "good": good, "initial": initial, "min": initial,
            "max": maximum, "purchase_cost": price, "holding_cost": round(price * STORAGE_RATE),
            "refill_cost": round(price * REFILL_MARKUP), "loss_rate": loss,
            "max_draw": max_draw, "release_lag": 0}


def _ndpr_max(magnet_capacity):
    """Six months of the oxide the ally's magnet lines (with their spare option) use."""
    return round(STOCK_MONTHS * 0.3 * magnet_capacity, -1)


# initial, min, max and max_draw in t (max_draw None = no limit); purchase_cost and
# refill_cost USD/t; holding_cost USD/t/year (storage and insurance only: the capital
# charge capital_rate x purchase_cost is added by the model); loss_rate per year;
# release_lag months from the onset. NdPr stock is held for the ally's own magnet lines.
STOCKPILES = [
    _stock("Japan", "NdPr", _ndpr_max(900 + 150), initial=300),
    _stock("US", "NdPr", _ndpr_max(20 + 150)),
    _stock("EU", "NdPr", _ndpr_max(80 + 150)),
    _stock("South Korea", "NdPr", _ndpr_max(20)),
] + [_stock(c, "NdFeB", STOCK_MONTHS * d) for c, d in NDFEB_DEMAND.items()]


def _link(origin, destination, good, lead, unit_cost, capacity, activation_lag=1):
    return {"from": origin, "to": destination, "good": good, "lead_periods": lead,
            "unit_cost": unit_cost, "capacity": capacity, "activation_lag": activation_lag}


# lead_periods and activation_lag in months; unit_cost USD/t; capacity t per month per
# good (each good of a '*' link).
SHARING = [
    # Lynas oxide beyond its normal offtake (sold elsewhere in normal times).
    _link("Australia", "Japan", "NdPr", 1, 3_000, 400),
    _link("Australia", "US", "NdPr", 1, 4_000, 400),
    _link("Australia", "EU", "NdPr", 1, 4_000, 400),
    _link("Australia", "South Korea", "NdPr", 1, 3_000, 400),
    # Across the Pacific and to Europe: every good.
    _link("US", "Japan", "*", 1, 5_000, 500),
    _link("Japan", "US", "*", 1, 5_000, 500),
    _link("US", "EU", "*", 1, 5_000, 500),
    _link("EU", "US", "*", 1, 5_000, 500),
    _link("Japan", "EU", "*", 1, 5_000, 500),
    _link("EU", "Japan", "*", 1, 5_000, 500),
    # Within North-East Asia: days at sea, so within the month.
    _link("Japan", "South Korea", "*", 0, 5_000, 500),
    _link("South Korea", "Japan", "*", 0, 5_000, 500),
    _link("Japan", "Taiwan", "*", 0, 5_000, 500),
    _link("Taiwan", "Japan", "*", 0, 5_000, 500),
]

SCENARIOS = [
    {"scenario": "normal", "probability": 0.80,
     "description": "Normal trade all year"},
    {"scenario": "japan_embargo_2010", "probability": 0.05,
     "description": "Repeat of China's 2010 rare-earth export halt to Japan "
                    "(21 Sep to 20 Nov 2010), as October and November"},
    {"scenario": "wide_china_cut", "probability": 0.05,
     "description": "China cuts NdPr oxide and magnet exports to every ally to 20 per cent "
                    "for six months from April, like the April 2025 licensing regime"},
    {"scenario": "myanmar_disruption", "probability": 0.05,
     "description": "Myanmar rare-earth mining stops all year (Kachin conflict, as from "
                    "October 2024); China, short of heavy rare-earth feed, exports less"},
    {"scenario": "demand_surge", "probability": 0.05,
     "description": "EV and wind boom: magnet demand of every ally 30 per cent higher "
                    "from July to December"},
]

# partner None = default '*' (only export_cut uses it). A scenario's onset is the first
# period of its earliest row: japan_embargo_2010 10, wide_china_cut 4,
# myanmar_disruption 1, demand_surge 7.
DISRUPTIONS = [
    {"scenario": "japan_embargo_2010", "kind": "export_cut", "country": "China",
     "partner": "Japan", "good": "*", "start": 10, "end": 11, "factor": 0},
    {"scenario": "wide_china_cut", "kind": "export_cut", "country": "China",
     "partner": "*", "good": "*", "start": 4, "end": 9, "factor": 0.2},
    {"scenario": "myanmar_disruption", "kind": "export_cut", "country": "Myanmar",
     "partner": "*", "good": "*", "start": 1, "end": 12, "factor": 0},
    {"scenario": "myanmar_disruption", "kind": "export_cut", "country": "China",
     "partner": "*", "good": "NdPr", "start": 1, "end": 12, "factor": 0.85},
    {"scenario": "myanmar_disruption", "kind": "export_cut", "country": "China",
     "partner": "*", "good": "NdFeB", "start": 1, "end": 12, "factor": 0.9},
    {"scenario": "demand_surge", "kind": "demand_surge", "country": "*",
     "partner": None, "good": "NdFeB", "start": 7, "end": 12, "factor": 1.3},
]

USGS_RE_2025 = ("USGS, Mineral Commodity Summaries 2025, Rare earths "
                "(data release doi 10.5066/P13XCP3R)")
USGS_URL = "https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-rare-earths.pdf"
IEA_GCMO_2024 = "IEA, Global Critical Minerals Outlook 2024 (May 2024)"
IEA_GCMO_URL = "https://www.iea.org/reports/global-critical-minerals-outlook-2024"
MP_2024 = "MP Materials, Fourth quarter and full year 2024 results (20 Feb 2025)"
MP_URL = ("https://mpmaterials.com/articles/"
          "mp-materials-reports-fourth-quarter-and-full-year-2024-results")
LYNAS_FY2024 = "Lynas Rare Earths, Annual Report FY2024 (year to 30 Jun 2024)"
LYNAS_URL = "https://lynasrareearths.com"
ASSUMPTION = "Illustrative assumption (no public figure used)"

# One row per public figure or assumption: item, figure, source, url_or_reference, note.
SOURCES = [
    # --- public figures -------------------------------------------------------------------
    ("World and China rare-earth mine production 2024",
     "world 390,000 t REO, China 270,000 t (about 70 %)", USGS_RE_2025, USGS_URL,
     "Mining is the least concentrated step: allies (US, Australia) mine more than they "
     "can separate, so the case gives them ample concentrate and no concentrate imports."),
    ("China share of rare-earth separation and refining", "about 90 % (92 % in 2023)",
     IEA_GCMO_2024, IEA_GCMO_URL,
     "China supplies most of the NdPr oxide on the magnet makers' routes (Japan 180 of "
     "300 t per month, South Korea all of it)."),
    ("China share of world NdFeB magnet production", "about 90 %",
     "IEA Global Critical Minerals Outlook 2024; Bloomberg News, 18 Jun 2025",
     IEA_GCMO_URL, "China supplies 74 % of the allies' magnets (2,715 of 3,670 t per "
     "month); Japan makes most of the rest, and exports 185 t per month of it to the "
     "other allies."),
    ("China NdFeB magnet production 2024", "about 300,000 t",
     "Argus Media (E. Saklatvala), 15 Jan 2025, as reported by mining press",
     "https://www.argusmedia.com", "Context: ally magnet imports from China in this case "
     "total about 2,700 t per month (33,000 t per year)."),
    ("US mine production 2024", "45,000 t REO in concentrate (MP Materials: 45,455 t)",
     USGS_RE_2025 + "; " + MP_2024, USGS_URL,
     "US concentrate capacity 3,790 t REO per month. Most of it is sold outside the "
     "alliance in normal times (to Shenghe in China until April 2025), so the US has far "
     "more concentrate than its separation uses."),
    ("MP Materials NdPr oxide production 2024", "1,294 t (record)", MP_2024, MP_URL,
     "US NdPr separation capacity 108 t per month. MP sells NdPr to customers in Asia: "
     "route US to Japan 20 t per month (the volume is an assumption)."),
    ("MP Materials realised price of REO in concentrate, Q4 2024", "USD 4,717 per t REO",
     MP_2024, MP_URL, "Concentrate unit_cost USD 4,700 per t REO for the US and Australian "
     "mines (valued at its market price)."),
    ("NdPr oxide price 2024", "about USD 44-60 per kg",
     "Lynas Annual Report FY2024 (China domestic price 60.4 Jun 2023, 44.0 Jun 2024); "
     "MP Materials FY2024 (USD 51 per kg realised)", LYNAS_URL,
     "NdPr oxide from China USD 55,000 per t; stock purchase_cost USD 55,000 per t."),
    ("MP Materials Independence magnet plant, Fort Worth (Texas)",
     "about 1,000 t per year NdFeB; trial production Q4 2024, commercial from end 2025",
     MP_2024, MP_URL, "US NdFeB capacity 20 t per month. The spare option (150 t per "
     "month after 4 months) stands for finishing Independence and the further magnet "
     "plant MP and the US Department of Defense announced in July 2025; its size and cost "
     "are assumptions."),
    ("Lynas Rare Earths production FY2024", "10,908 t REO of which 5,655 t NdPr",
     LYNAS_FY2024, LYNAS_URL,
     "Australian NdPr separation capacity 471 t per month. Lynas separates Mt Weld "
     "concentrate (cracked partly at Kalgoorlie since 2024) in Kuantan, Malaysia; the case "
     "counts that plant in Australia's node because it is Lynas's and is fed only by the "
     "Australian mine. Routes: Japan 100, EU 30 t per month (volumes are assumptions); the "
     "rest is sold outside the alliance in normal times and can be shared in an "
     "emergency."),
    ("Lynas Mt Weld ore reserve upgrade", "supports 12,000 t per year NdPr, 20+ year life",
     "Lynas, Aug 2024 (Australian Mining, 2025)",
     "https://www.australianmining.com.au/lynas-mt-weld-gets-a-boost/",
     "Context for Australian concentrate capacity 2,200 t REO per month (see the "
     "assumption row)."),
    ("Australia mine production 2024", "13,000 t REO", USGS_RE_2025, USGS_URL,
     "Lower than Lynas's concentrate use (5,655 t NdPr needs about 25,000 t REO at the "
     "case's ratio): Mt Weld is mined in campaigns (its mining contract restarted in March "
     "2024), so the plants appear to have drawn on ore and concentrate stockpiles. The "
     "case's capacity follows the separation output, not the calendar-year mine figure."),
    ("Myanmar mine production 2024", "31,000 t REO", USGS_RE_2025, USGS_URL,
     "Almost all goes to China as heavy rare-earth feed; no direct Myanmar route to an ally "
     "is modelled, so the Myanmar row of myanmar_disruption only documents the cause and "
     "its China rows carry the effect."),
    ("Myanmar rare-earth supply disruption", "KIA took Chipwi and Pangwa Sep-Oct 2024; "
     "China's imports from Myanmar down 89 % y/y in Feb 2025",
     "Reuters, 28 Mar 2025; Irrawaddy, 2024", "https://www.reuters.com",
     "myanmar_disruption: China's exports to allies cut to 85 % (NdPr) and 90 % (NdFeB) "
     "all year; these two factors are assumptions."),
    ("China's rare-earth export halt to Japan", "21 Sep to 20 Nov 2010",
     "MODEL.md; New York Times, 8 Dec 2025; WSJ, 27 Jul 2025",
     "https://www.nytimes.com/2025/12/08/business/japan-rare-earths-lynas.html",
     "japan_embargo_2010: export_cut China to Japan, every good, periods 10-11 "
     "(October, November), factor 0; onset period 10."),
    ("China export controls on 7 medium and heavy rare earths and magnets",
     "from 4 Apr 2025", "MOFCOM / GAC Announcement No. 18 of 2025",
     "http://www.mofcom.gov.cn", "wide_china_cut starts in April (period 4, its onset)."),
    ("China rare-earth magnet exports, May 2025", "1,238 t, down 74 % year on year",
     "China customs data reported by Wall Street Journal / Reuters, 20 Jun 2025",
     "https://www.automotiveworld.com/news/chinese-rare-earth-exports-collapsed-74-yoy-in-may/",
     "Calibrates wide_china_cut: exports to all allies fall to 20 % of normal."),
    ("Japan's rare-earth import dependence on China", "about 90 % in 2010, 60-70 % now",
     "New York Times, 8 Dec 2025; JOGMEC as cited by WSJ, 27 Jul 2025 (about 70 % in 2024)",
     "https://www.nytimes.com/2025/12/08/business/japan-rare-earths-lynas.html",
     "Japan's NdPr routes: China 180, Australia (Lynas) 100, US (MP) 20 t per month = "
     "60 % from China."),
    ("JOGMEC national stockpile target", "60 days of consumption; up to 180 days for "
     "high-risk minerals", "IEA Policies database, Japan International Resource Strategy "
     "(2020)", "https://www.iea.org/policies/16639-international-resource-strategy-national-"
     "stockpiling-system", "Stock max 6 months of use for every ally (magnets: of demand; "
     "NdPr: of what the ally's magnet lines with their spare option use). Actual JOGMEC "
     "holdings are undisclosed."),
    ("South Korea rare-metal stockpile target", "100 days (from 54)",
     "IEA Policies database, Korea National Program for Metal Stockpiling (2024)",
     "https://www.iea.org/policies/17940-the-national-program-for-metal-nonferrous-and-rare-"
     "stockpiling", "Context only; not imposed as a floor (min 0) so the model chooses."),
    ("Cost of holding emergency oil stocks (analogue for holding_cost)",
     "USD 7-10 per barrel per year, depending on storage type",
     "IEA, Energy Supply Security 2014, as reported by Reuters and Fin24, 25 Jun 2014",
     "http://www.fin24.com/Economy/Emergency-oil-stocks-have-helped-world-20140625",
     "About a tenth of the value of oil, a bulky liquid in purpose-built "
     "tanks. Oxide in drums and magnet blocks on pallets hold far more value per m3, so "
     "storage and insurance are taken as 1 % of value a year (an assumption); the capital "
     "charge is the separate capital_rate."),
    ("Rare-earth content of sintered NdFeB", "about 29-32 % rare-earth metal by mass "
     "(Nd2Fe14B alone is 26.7 % Nd; grades add a rare-earth-rich grain-boundary phase)",
     "Magnet literature, e.g. T. Minowa (Shin-Etsu), Resource Geology 58(4) 414-422, 2008",
     "doi 10.1111/j.1751-3928.2008.00073.x", "Basis of the recipe 0.3 t NdPr oxide per t "
     "of magnet (see the assumption row): the oxide-to-metal mass loss and the recycled "
     "in-plant scrap roughly offset the process losses."),
    ("Light rare-earth share of the ore (basis of the concentrate ratios)",
     "NdPr about 15 % of REO in Mountain Pass bastnäsite, about 24 % at Mt Weld",
     "USGS Scientific Investigations Report 2010-5220 (Long et al.), Mountain Pass "
     "distribution; Lynas, Mt Weld distribution", "https://pubs.usgs.gov/sir/2010/5220/",
     "Approximate shares as commonly tabulated; see the recipe assumption row."),
    ("Neo Performance Materials, Narva (Estonia) magnet plant and Silmet separation",
     "2,000 t per year sintered NdFeB, phase 1 from 2025; Silmet light rare-earth "
     "separation in Sillamäe", "Argus Media, 2023; Neo Performance Materials",
     "https://www.neomaterials.com", "Part of EU NdFeB capacity 80 t per month and of its "
     "spare option, and of EU NdPr separation 20 t per month (both sizes assumptions)."),
    ("Solvay rare-earth separation, La Rochelle (France)", "NdPr line inaugurated 8 Apr "
     "2025; several hundred t in 2025; 2,000-5,000 t REO possible with about EUR 100 m "
     "more; aim 30 % of EU magnet rare-earth demand by 2030",
     "Solvay press release, 8 Apr 2025 (Rare Earth Exchanges; Specialty Chemicals "
     "Magazine; De Tijd)", "https://www.solvay.com",
     "EU NdPr capacity 20 t per month (with Neo Silmet) and its spare option, 60 t per "
     "month after 4 months (size and cost assumptions). Solvay's feed is recycled and "
     "mined mixed oxide from partners; the case feeds EU separation with Mountain Pass "
     "concentrate (route US to EU), an illustrative stand-in."),
    ("MP Materials and US Department of Defense partnership", "10 Jul 2025: a second "
     "('10X') magnet plant from 2028 taking US capacity to about 10,000 t per year; NdPr "
     "price floor USD 110 per kg for 10 years", "MP Materials, SEC filing and press "
     "release, 10 Jul 2025 (Metal Tech News, 16 Jul 2025)",
     "https://www.metaltechnews.com/story/2025/07/16/tech-metals/dod-commits-billions-to-"
     "us-rare-earths/2370.html", "Context for the US magnet spare option; the floor "
     "(twice the 2025 Chinese price) shows what non-Chinese NdPr may cost, but the case "
     "keeps the 2024 market price."),
    # --- assumptions ----------------------------------------------------------------------
    ("Horizon and periods", "12 periods of one month, period 1 = January; "
     "periods_per_year 12", "Model convention", "MODEL.md",
     "Annual tonnes are divided by 12; with 12 periods a year the scenario costs count once "
     "(k = 1)."),
    ("Capital charge on stock", "capital_rate 0.05 per year of purchase_cost", ASSUMPTION,
     "", "A round rate near US long-term government yields in 2024-25 (about 4-5 %) and "
     "the model's default; charged on every unit held, the initial Japanese stock "
     "included."),
    ("Goods and chain", "concentrate (t REO contained), NdPr oxide (t), NdFeB magnets (t)",
     ASSUMPTION, "", "Only the magnet chain is modelled. Dysprosium and terbium (heavy rare "
     "earths, the real target of the 2025 controls and of Myanmar's feed) and the La/Ce "
     "co-products are left out; iron and boron are not critical and not modelled."),
    ("Recipe: NdPr oxide from concentrate", "7.0 t REO per t NdPr ('*', Mountain Pass-type "
     "bastnäsite); 4.5 t for Australia (Mt Weld)", ASSUMPTION, "",
     "1 / (NdPr share of REO x recovery): 1 / (0.15 x 0.93) and 1 / (0.24 x 0.93), from "
     "the approximate ore shares above and an assumed 93 % separation recovery. The EU's "
     "separation uses the '*' ratio: its feed is Mountain Pass concentrate."),
    ("Recipe: NdFeB from NdPr oxide", "0.3 t NdPr oxide per t of sintered magnet ('*')",
     ASSUMPTION, "", "Industry rule of thumb, consistent with the 29-32 % rare-earth "
     "content above; the same for every magnet maker."),
    ("Ally demand, NdFeB", "US 800, Japan 800, South Korea 400, Australia 20, EU 1,500, "
     "Taiwan 150 t per month", ASSUMPTION, "",
     "Round numbers (44,000 t a year in all, about 15 % of China's output). No ally "
     "demands concentrate or NdPr oxide directly: they are inputs of the next step."),
    ("Shortage penalty", "NdFeB 500,000 USD per t (NdPr 200,000 and concentrate 20,000 are "
     "never used: nothing demands them)", ASSUMPTION, "",
     "Economic damage of a missing tonne of magnets (the motors of about 500 EVs; lost "
     "output downstream); well above every price."),
    ("Import volumes", "normal-times supply of magnets (production plus imports) 0-5 % "
     "above demand for every ally (Australia 15 %)", ASSUMPTION, "",
     "Shares follow the public figures above; normal-times shortfall is zero."),
    ("Routes whose origin is an ally", "Japan magnets to US 80, South Korea 30, EU 50, "
     "Taiwan 20, Australia 5; Australia NdPr to Japan 100, EU 30; US NdPr to Japan 20; US "
     "concentrate to EU 140 t per month", ASSUMPTION, "",
     "The exports leave the origin's own balance, so a Chinese cut on Japan's oxide also "
     "cuts Japan's magnet exports. unit_cost is freight only (1,500-3,000 USD per t; "
     "concentrate 500): the good is costed where it is made."),
    ("Import prices from China", "NdPr oxide 55,000, NdFeB 50,000 USD per t delivered",
     ASSUMPTION, "", "NdPr from the public price range above; magnet block price "
     "illustrative (USD 50 per kg)."),
    ("Processing costs (unit_cost of made goods, inputs excluded)", "separation US 25,000, "
     "Australia 37,000, EU 30,000 USD per t NdPr; magnets Japan and South Korea 40,000, "
     "EU 42,000, US 44,000 USD per t", ASSUMPTION, "",
     "Set so allied oxide costs about its market price (about USD 58,000 per t before "
     "freight, concentrate included) rather than a producer's cash cost: output that "
     "is sold outside the alliance in normal times is not cheaper to divert. Allied "
     "material stays dearer than Chinese, so the normal-times plan buys all the Chinese "
     "volume first; an ally's own magnets (about USD 60,000-61,000 per t with oxide) cost "
     "less than Japanese magnets sent over an emergency link (about 63,000), so sharing "
     "does not displace allied plants once an emergency is over."),
    ("Allied output sold outside the alliance", "US concentrate and NdPr, Lynas NdPr "
     "beyond the allies' routes", ASSUMPTION, "",
     "The case has no demand outside the alliance, so the normal-times plan (least cost) "
     "leaves that capacity idle: in reality it is sold to third countries. In an "
     "emergency it is what the US and Australia can divert, through routes and sharing "
     "links, at its market price."),
    ("Production capacities without a company figure", "Australia concentrate 2,200 t REO, "
     "EU NdPr 20, Japan NdFeB 900 (Shin-Etsu, TDK, Proterial, Daido), EU NdFeB 80 (VAC, "
     "Neo), South Korea NdFeB 20 t per month", ASSUMPTION, "",
     "Round numbers consistent with the company figures above; Australian concentrate is "
     "what Lynas's 471 t per month of NdPr needs at 4.5 t per t, rounded up."),
    ("Spare capacity options", "magnets Japan 150 t per month after 2 months, US and EU "
     "150 after 4, at 60,000 USD per year per t per month; EU separation 60 t per month "
     "after 4 months at 150,000", ASSUMPTION, "",
     "About a tenth a year of the capital cost of a line kept ready (Neo Narva: about EUR "
     "100 m for 2,000 t per year of magnets; separation dearer per tonne). Japan ramps "
     "existing lines; new US and EU lines take longer. ramp_periods count from the "
     "scenario's onset. The US and Australian separation plants need no spare option: "
     "their output sold outside the alliance can be diverted."),
    ("Stock prices", "purchase_cost NdPr 55,000 and NdFeB 60,000 USD per t; refill_cost "
     "1.5 x purchase_cost (82,500; 90,000)", ASSUMPTION, "",
     "Drawn stock is bought back after the emergency at a premium (rare-earth prices "
     "outside China multiplied in 2010-11); refill_cost is above every normal-times "
     "source, so stock never replaces supply that is still flowing."),
    ("Storage and insurance (holding_cost)", "1 % of purchase_cost a year: NdPr 550, "
     "NdFeB 600 USD per t per year", ASSUMPTION, "", "See the IEA oil analogue above."),
    ("loss_rate", "NdPr 0; NdFeB 2 % a year", ASSUMPTION, "",
     "Oxide in sealed drums keeps; magnet blocks corrode and fall out of specification as "
     "motor designs change, so 2 % a year is replaced."),
    ("max_draw", "NdFeB: half a month of the ally's demand per month; NdPr: no limit",
     ASSUMPTION, "", "Generic magnet block must be cut, coated and magnetised for each "
     "use, so a release reaches users at a limited pace; oxide goes to the ally's own "
     "magnet plants."),
    ("release_lag and activation_lag", "stock released from the onset month (lag 0); "
     "sharing links usable one month after the onset (lag 1)", ASSUMPTION, "",
     "A release is a domestic decision (IEA collective actions were agreed within a week "
     "in 2022); a sharing agreement needs the partners to agree and allocate."),
    ("Initial stocks", "Japan NdPr 300 t (min = initial); none elsewhere", ASSUMPTION, "",
     "JOGMEC's holdings are undisclosed; one month of Japan's oxide use. The floor keeps "
     "existing stock from being written off."),
    ("Sharing links", "Australia NdPr to Japan and South Korea (3,000 USD per t), US and "
     "EU (4,000), 1 month lead; US-Japan, US-EU, Japan-EU both ways, every good, 1 month "
     "lead; Japan-South Korea and Japan-Taiwan both ways, every good, same month; those "
     "5,000 USD per t; capacities 400-500 t per month per good", ASSUMPTION, "",
     "Emergency freight costs more than the normal route (air or chartered sea freight), "
     "so sharing never replaces a route that still flows; capacities rarely bind: what "
     "the partner can spare does."),
    ("Scenario probabilities", "normal 0.80; japan_embargo_2010, wide_china_cut, "
     "myanmar_disruption, demand_surge 0.05 each", ASSUMPTION, "",
     "Judgment: Chinese export restrictions in 2010, 2023 (gallium, germanium, graphite) "
     "and 2025 suggest a few per cent a year for each kind of event."),
    ("wide_china_cut size and length", "factor 0.2 on NdPr and NdFeB, April to September",
     ASSUMPTION, "", "May 2025 magnet exports were 26 % of May 2024; six months is longer "
     "than the 2025 episode (eased from June) to stress the plan."),
    ("demand_surge size and length", "NdFeB demand x 1.3 for every ally, July to December",
     ASSUMPTION, "", "Import volumes do not grow in a surge (suppliers at allocation)."),
    ("Budgets", "none (blank)", ASSUMPTION, "", "No cap on any ally's stage-one spending."),
]

SHEET_COLUMNS = {
    "Countries": ("country", "role", "budget"),
    "Goods": ("good", "unit", "shortage_penalty"),
    "Demand": ("country", "good", "demand", "shortage_penalty"),
    "Production": ("country", "good", "capacity", "unit_cost", "spare_cost", "spare_max",
                   "ramp_periods"),
    "Recipes": ("country", "good", "input", "ratio"),
    "Imports": ("origin", "destination", "good", "volume", "unit_cost"),
    "Stockpiles": ("country", "good", "initial", "min", "max", "purchase_cost",
                   "holding_cost", "refill_cost", "loss_rate", "max_draw", "release_lag"),
    "Sharing": ("from", "to", "good", "lead_periods", "unit_cost", "capacity",
                "activation_lag"),
    "Scenarios": ("scenario", "probability", "description"),
    "Disruptions": ("scenario", "kind", "country", "partner", "good", "start", "end",
                    "factor"),
}

TABLES = {
    "Countries": COUNTRIES,
    "Goods": GOODS,
    "Demand": DEMAND,
    "Production": PRODUCTION,
    "Recipes": RECIPES,
    "Imports": IMPORTS,
    "Stockpiles": STOCKPILES,
    "Sharing": SHARING,
    "Scenarios": SCENARIOS,
    "Disruptions": DISRUPTIONS,
}

SOURCES_COLUMNS = ("item", "figure", "source", "url_or_reference", "note")

DEFAULT_PATH = Path(__file__).resolve().with_name("rare_earths.xlsx")


def _check_plain(value):
    """Refuse text a spreadsheet could read as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        raise ValueError(f"text cell starts with a formula character: {value!r}")
    return value


def _write_sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_check_plain(value) for value in row])
    sheet.freeze_panes = "A2"
    for column_cells in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column_cells)
        sheet.column_dimensions[column_cells[0].column_letter].width = min(max(width, 8) + 2, 60)


def write_workbook(path=DEFAULT_PATH):
    """Write the case to an .xlsx file at `path`, one sheet per table; return the path."""
    probability = sum(s["probability"] for s in SCENARIOS)
    if abs(probability - 1.0) > 1e-9:
        raise ValueError(f"scenario probabilities sum to {probability}, not 1")
    workbook = Workbook()
    workbook.remove(workbook.active)
    _write_sheet(workbook, "Settings", ("key", "value"), SETTINGS)
    for title, columns in SHEET_COLUMNS.items():
        rows = [[record[c] for c in columns] for record in TABLES[title]]
        _write_sheet(workbook, title, columns, rows)
    _write_sheet(workbook, "Sources", SOURCES_COLUMNS, SOURCES)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


if __name__ == "__main__":
    written = write_workbook(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PATH)
    print(f"wrote {written}")
