"""Bundled example case: rare earths among allies.

Six allies (US, Japan, South Korea, Australia, EU, Taiwan) need two goods:

* ``REO``   separated rare-earth oxide (valued like NdPr oxide), tonnes;
* ``NdFeB`` sintered neodymium-iron-boron permanent magnets, tonnes.

Both mostly come from China, which refines about 92 % of the world's rare earths and
makes about 90 % of its NdFeB magnets. The case asks what stockpiles, reserved spare
capacity and emergency sharing the allies should buy against a repeat of China's 2010
export halt to Japan, a wide Chinese export cut like the April 2025 licensing regime,
a Myanmar supply shock and a magnet demand surge.

The horizon is one year of 12 monthly periods (period 1 = January). Annual public
figures are divided by 12 to get tonnes per month. Every public figure used and every
assumption made is listed, with its source, in ``SOURCES`` (the ``Sources`` sheet of the
workbook, which the case reader skips). Figures without a public source are round,
plausible numbers chosen for illustration, and ``SOURCES`` says so.

Run ``python inputs/rare_earths_data.py`` to (re)write ``inputs/rare_earths.xlsx``, or
pass another path as the first argument.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

# Prices paid for stockpile purchases (assumptions): extra tonnes bought on the spot market
# on top of normal supply, so at a premium above the contract import prices (REO 60,000,
# NdFeB 80,000 USD/t) and at least the dearest normal-times source; otherwise the optimum
# buys "stock" only to replace normal supply. They are also the base of holding costs.
REO_PRICE = 70_000  # USD per t
NDFEB_PRICE = 100_000  # USD per t
HOLDING_RATE = 0.12  # per year, storage + insurance + cost of capital

SETTINGS = [
    ("periods", 12),
    ("period_unit", "month"),
    ("period_days", 30),
    ("currency", "USD"),
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
    {"country": "Malaysia", "role": "supplier", "budget": None},
    {"country": "Thailand", "role": "supplier", "budget": None},
    {"country": "Nigeria", "role": "supplier", "budget": None},
    {"country": "Estonia", "role": "supplier", "budget": None},
    {"country": "Vietnam", "role": "supplier", "budget": None},
]

GOODS = [
    {"good": "REO", "unit": "t", "shortage_penalty": 200_000},
    {"good": "NdFeB", "unit": "t", "shortage_penalty": 500_000},
]

# t per month; shortage_penalty None = the good's penalty.
DEMAND = [
    {"country": "US", "good": "REO", "demand": 800, "shortage_penalty": None},
    {"country": "Japan", "good": "REO", "demand": 1_500, "shortage_penalty": None},
    {"country": "South Korea", "good": "REO", "demand": 400, "shortage_penalty": None},
    {"country": "Australia", "good": "REO", "demand": 50, "shortage_penalty": None},
    {"country": "EU", "good": "REO", "demand": 1_000, "shortage_penalty": None},
    {"country": "Taiwan", "good": "REO", "demand": 150, "shortage_penalty": None},
    {"country": "US", "good": "NdFeB", "demand": 800, "shortage_penalty": None},
    {"country": "Japan", "good": "NdFeB", "demand": 800, "shortage_penalty": None},
    {"country": "South Korea", "good": "NdFeB", "demand": 400, "shortage_penalty": None},
    {"country": "Australia", "good": "NdFeB", "demand": 20, "shortage_penalty": None},
    {"country": "EU", "good": "NdFeB", "demand": 1_500, "shortage_penalty": None},
    {"country": "Taiwan", "good": "NdFeB", "demand": 150, "shortage_penalty": None},
]

# capacity in t per month; unit_cost USD/t; spare_cost USD per year per t/month reserved
# (None = no spare option); spare_max t per month; ramp_periods months.
PRODUCTION = [
    {"country": "US", "good": "REO", "capacity": 100, "unit_cost": 55_000,
     "spare_cost": 60_000, "spare_max": 150, "ramp_periods": 6},
    {"country": "Australia", "good": "REO", "capacity": 80, "unit_cost": 60_000,
     "spare_cost": 60_000, "spare_max": 300, "ramp_periods": 6},
    {"country": "EU", "good": "REO", "capacity": 80, "unit_cost": 70_000,
     "spare_cost": 60_000, "spare_max": 100, "ramp_periods": 4},
    {"country": "Japan", "good": "NdFeB", "capacity": 700, "unit_cost": 95_000,
     "spare_cost": 100_000, "spare_max": 150, "ramp_periods": 3},
    {"country": "US", "good": "NdFeB", "capacity": 20, "unit_cost": 110_000,
     "spare_cost": 100_000, "spare_max": 200, "ramp_periods": 6},
    {"country": "EU", "good": "NdFeB", "capacity": 80, "unit_cost": 105_000,
     "spare_cost": 100_000, "spare_max": 150, "ramp_periods": 6},
    {"country": "South Korea", "good": "NdFeB", "capacity": 20, "unit_cost": 95_000,
     "spare_cost": None, "spare_max": None, "ramp_periods": None},
]

# volume in t per month available in normal times; unit_cost USD/t delivered.
IMPORTS = [
    # REO into the US: shares close to USGS 2020-23 (China 70, Malaysia 13, Japan 6,
    # Estonia 5 per cent).
    {"origin": "China", "destination": "US", "good": "REO", "volume": 525, "unit_cost": 60_000},
    {"origin": "Malaysia", "destination": "US", "good": "REO", "volume": 100,
     "unit_cost": 65_000},
    {"origin": "Japan", "destination": "US", "good": "REO", "volume": 50, "unit_cost": 70_000},
    {"origin": "Estonia", "destination": "US", "good": "REO", "volume": 40, "unit_cost": 70_000},
    # REO into Japan: about two thirds from China, the rest Lynas (separated in Malaysia).
    {"origin": "China", "destination": "Japan", "good": "REO", "volume": 1_000,
     "unit_cost": 60_000},
    {"origin": "Malaysia", "destination": "Japan", "good": "REO", "volume": 450,
     "unit_cost": 65_000},
    {"origin": "Vietnam", "destination": "Japan", "good": "REO", "volume": 60,
     "unit_cost": 62_000},
    # REO into South Korea, the EU and Taiwan.
    {"origin": "China", "destination": "South Korea", "good": "REO", "volume": 360,
     "unit_cost": 60_000},
    {"origin": "Vietnam", "destination": "South Korea", "good": "REO", "volume": 30,
     "unit_cost": 62_000},
    {"origin": "Japan", "destination": "South Korea", "good": "REO", "volume": 20,
     "unit_cost": 70_000},
    {"origin": "China", "destination": "EU", "good": "REO", "volume": 800, "unit_cost": 60_000},
    {"origin": "Estonia", "destination": "EU", "good": "REO", "volume": 120,
     "unit_cost": 68_000},
    {"origin": "Malaysia", "destination": "EU", "good": "REO", "volume": 50,
     "unit_cost": 65_000},
    {"origin": "China", "destination": "Taiwan", "good": "REO", "volume": 140,
     "unit_cost": 60_000},
    {"origin": "Japan", "destination": "Taiwan", "good": "REO", "volume": 20,
     "unit_cost": 70_000},
    # NdFeB magnets: China about 90 per cent of world output; Japan the main other maker.
    {"origin": "China", "destination": "US", "good": "NdFeB", "volume": 700,
     "unit_cost": 80_000},
    {"origin": "Japan", "destination": "US", "good": "NdFeB", "volume": 100,
     "unit_cost": 100_000},
    {"origin": "China", "destination": "Japan", "good": "NdFeB", "volume": 120,
     "unit_cost": 80_000},
    {"origin": "China", "destination": "South Korea", "good": "NdFeB", "volume": 350,
     "unit_cost": 80_000},
    {"origin": "Japan", "destination": "South Korea", "good": "NdFeB", "volume": 40,
     "unit_cost": 100_000},
    {"origin": "China", "destination": "Australia", "good": "NdFeB", "volume": 20,
     "unit_cost": 80_000},
    {"origin": "Japan", "destination": "Australia", "good": "NdFeB", "volume": 5,
     "unit_cost": 100_000},
    {"origin": "China", "destination": "EU", "good": "NdFeB", "volume": 1_380,
     "unit_cost": 80_000},
    {"origin": "Japan", "destination": "EU", "good": "NdFeB", "volume": 60,
     "unit_cost": 100_000},
    {"origin": "China", "destination": "Taiwan", "good": "NdFeB", "volume": 130,
     "unit_cost": 80_000},
    {"origin": "Japan", "destination": "Taiwan", "good": "NdFeB", "volume": 30,
     "unit_cost": 100_000},
]


def _stock(country, good, maximum, initial=0):
    """One Stockpiles row; an initial stock is also the floor so it is not written off."""
    price = REO_PRICE if good == "REO" else NDFEB_PRICE
    return {"country": country, "good": good, "initial": initial, "min": initial,
            "max": maximum, "purchase_cost": price, "holding_cost": round(price * HOLDING_RATE)}


# initial, min and max in t; purchase_cost USD/t; holding_cost USD/t/year.
# max = about 6 months of demand (180 days, the upper JOGMEC target), rounded.
STOCKPILES = [
    _stock("US", "REO", 4_800, initial=200),
    _stock("Japan", "REO", 9_000, initial=1_500),
    _stock("South Korea", "REO", 2_400),
    _stock("Australia", "REO", 300),
    _stock("EU", "REO", 6_000),
    _stock("Taiwan", "REO", 900),
    _stock("US", "NdFeB", 4_800),
    _stock("Japan", "NdFeB", 4_800),
    _stock("South Korea", "NdFeB", 2_400),
    _stock("Australia", "NdFeB", 120),
    _stock("EU", "NdFeB", 9_000),
    _stock("Taiwan", "NdFeB", 900),
]

# lead_periods in months; unit_cost USD/t; capacity t per month per good.
SHARING = [
    {"from": "US", "to": "Japan", "good": "*", "lead_periods": 1, "unit_cost": 4_000,
     "capacity": 200},
    {"from": "Japan", "to": "US", "good": "*", "lead_periods": 1, "unit_cost": 4_000,
     "capacity": 200},
    {"from": "Japan", "to": "South Korea", "good": "*", "lead_periods": 0, "unit_cost": 1_500,
     "capacity": 150},
    {"from": "South Korea", "to": "Japan", "good": "*", "lead_periods": 0, "unit_cost": 1_500,
     "capacity": 150},
    {"from": "Japan", "to": "Taiwan", "good": "*", "lead_periods": 0, "unit_cost": 1_500,
     "capacity": 100},
    {"from": "Taiwan", "to": "Japan", "good": "*", "lead_periods": 0, "unit_cost": 1_500,
     "capacity": 100},
    {"from": "Australia", "to": "Japan", "good": "REO", "lead_periods": 1, "unit_cost": 3_000,
     "capacity": 300},
    {"from": "Australia", "to": "US", "good": "REO", "lead_periods": 1, "unit_cost": 3_500,
     "capacity": 300},
    {"from": "Australia", "to": "South Korea", "good": "REO", "lead_periods": 1,
     "unit_cost": 3_000, "capacity": 200},
    {"from": "EU", "to": "US", "good": "*", "lead_periods": 1, "unit_cost": 4_000,
     "capacity": 200},
    {"from": "US", "to": "EU", "good": "*", "lead_periods": 1, "unit_cost": 4_000,
     "capacity": 200},
]

SCENARIOS = [
    {"scenario": "normal", "probability": 0.80,
     "description": "Normal trade all year"},
    {"scenario": "japan_embargo_2010", "probability": 0.05,
     "description": "Repeat of China's 2010 rare-earth export halt to Japan "
                    "(21 Sep to 20 Nov 2010), as October and November"},
    {"scenario": "wide_china_cut", "probability": 0.05,
     "description": "China cuts rare-earth and magnet exports to every ally to 20 per cent "
                    "for six months from April, like the April 2025 licensing regime"},
    {"scenario": "myanmar_disruption", "probability": 0.05,
     "description": "Myanmar rare-earth mining stops (Kachin conflict, as from October 2024); "
                    "China, short of heavy rare-earth feed, exports less"},
    {"scenario": "demand_surge", "probability": 0.05,
     "description": "EV and wind boom: magnet demand of every ally 30 per cent higher "
                    "from July to December"},
]

# partner None = default '*' (only export_cut uses it).
DISRUPTIONS = [
    {"scenario": "japan_embargo_2010", "kind": "export_cut", "country": "China",
     "partner": "Japan", "good": "*", "start": 10, "end": 11, "factor": 0},
    {"scenario": "wide_china_cut", "kind": "export_cut", "country": "China",
     "partner": "*", "good": "*", "start": 4, "end": 9, "factor": 0.2},
    {"scenario": "myanmar_disruption", "kind": "export_cut", "country": "Myanmar",
     "partner": "*", "good": "*", "start": 1, "end": 12, "factor": 0},
    {"scenario": "myanmar_disruption", "kind": "export_cut", "country": "China",
     "partner": "*", "good": "REO", "start": 1, "end": 12, "factor": 0.85},
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
ASSUMPTION = "Illustrative assumption (no public figure used)"

# One row per public figure or assumption: item, figure, source, url_or_reference, note.
SOURCES = [
    # --- public figures -------------------------------------------------------------------
    ("China mine production 2024", "270,000 t REO", USGS_RE_2025, USGS_URL,
     "Context for China's dominance; China is the only origin cut in the China scenarios."),
    ("US mine production 2024", "45,000 t REO in concentrate", USGS_RE_2025, USGS_URL,
     "Mountain Pass; mostly exported as concentrate, so US processed REO capacity is kept "
     "at 100 t per month (see MP Materials row)."),
    ("Myanmar mine production 2024", "31,000 t REO", USGS_RE_2025, USGS_URL,
     "Almost all goes to China as heavy rare-earth feed; no direct Myanmar route to an ally "
     "is modelled."),
    ("Australia, Thailand, Nigeria mine production 2024", "13,000 t REO each", USGS_RE_2025,
     USGS_URL, "Thailand and Nigeria are listed as suppliers for context only: their "
     "concentrate goes to China, so they have no import route here."),
    ("US import sources, rare-earth compounds and metals 2020-23",
     "China 70 %, Malaysia 13 %, Japan 6 %, Estonia 5 %, other 6 %", USGS_RE_2025, USGS_URL,
     "US REO import volumes set to 525 / 100 / 50 / 40 t per month (73 / 14 / 7 / 6 % of "
     "the routes into the US)."),
    ("China share of refined rare-earth output 2023", "about 92 %", IEA_GCMO_2024, IEA_GCMO_URL,
     "Basis for China supplying most REO on every ally's routes."),
    ("China share of world NdFeB magnet production", "about 90 %",
     "IEA Global Critical Minerals Outlook 2024; Bloomberg News, 18 Jun 2025",
     IEA_GCMO_URL, "Basis for China supplying 81 to 96 % of the NdFeB imports of the US, EU, "
     "South Korea and Taiwan; Japan makes most of its own magnets."),
    ("China NdFeB magnet production 2024", "about 300,000 t",
     "Argus Media (E. Saklatvala), 15 Jan 2025, as reported by mining press",
     "https://www.argusmedia.com", "Context: ally magnet imports from China in this case "
     "total about 2,700 t per month (32,000 t per year)."),
    ("China rare-earth magnet exports, May 2025", "1,238 t, down 74 % year on year",
     "China customs data reported by Wall Street Journal / Reuters, 20 Jun 2025",
     "https://www.automotiveworld.com/news/chinese-rare-earth-exports-collapsed-74-yoy-in-may/",
     "Calibrates wide_china_cut: exports to all allies fall to 20 % of normal."),
    ("China export controls on 7 medium and heavy rare earths and magnets",
     "from 4 Apr 2025", "MOFCOM / GAC Announcement No. 18 of 2025",
     "http://www.mofcom.gov.cn", "wide_china_cut starts in April (period 4)."),
    ("China's rare-earth export halt to Japan", "21 Sep to 20 Nov 2010",
     "MODEL.md; New York Times, 8 Dec 2025; WSJ, 27 Jul 2025",
     "https://www.nytimes.com/2025/12/08/business/japan-rare-earths-lynas.html",
     "japan_embargo_2010: export_cut China to Japan, every good, periods 10-11 "
     "(October, November), factor 0."),
    ("Japan's rare-earth import dependence on China", "about 90 % in 2010, 60-70 % now",
     "New York Times, 8 Dec 2025; JOGMEC as cited by WSJ, 27 Jul 2025 (about 70 % in 2024)",
     "https://www.nytimes.com/2025/12/08/business/japan-rare-earths-lynas.html",
     "Japan REO routes: China 1,000, Malaysia (Lynas) 450, Vietnam 60 t per month = "
     "66 % from China."),
    ("JOGMEC national stockpile target", "60 days of consumption; up to 180 days for "
     "high-risk minerals", "IEA Policies database, Japan International Resource Strategy "
     "(2020)", "https://www.iea.org/policies/16639-international-resource-strategy-national-"
     "stockpiling-system", "Stock max about 180 days (6 months) of demand for every ally. "
     "Actual JOGMEC holdings are undisclosed."),
    ("South Korea rare-metal stockpile target", "100 days (from 54)",
     "IEA Policies database, Korea National Program for Metal Stockpiling (2024)",
     "https://www.iea.org/policies/17940-the-national-program-for-metal-nonferrous-and-rare-"
     "stockpiling", "Context only; not imposed as a floor (min 0) so the model chooses."),
    ("MP Materials NdPr oxide production 2024", "1,294 t (record)",
     "MP Materials, Q4 and full-year 2024 results (Feb 2025)",
     "https://investors.mpmaterials.com", "US REO capacity 100 t per month."),
    ("MP Materials Independence magnet plant, Fort Worth", "about 1,000 t per year NdFeB, "
     "ramp from late 2025", "MP Materials press release, 2025",
     "https://investors.mpmaterials.com", "US NdFeB capacity 20 t per month now; spare "
     "option up to 200 t per month after 6 months covers MP plus other US projects."),
    ("Lynas Rare Earths production FY2024", "10,908 t REO; 5,655 t NdPr",
     "Lynas Rare Earths, Annual Report FY2024", "https://lynasrareearths.com",
     "Separated in Malaysia (Kuantan): entered as Malaysia-origin imports into Japan (450), "
     "US (100) and EU (50) t per month = about 7,200 t per year."),
    ("NdPr oxide price 2024", "about USD 44-60 per kg",
     "Lynas Annual Report FY2024 (China domestic price 60.4 Jun 2023, 44.0 Jun 2024); "
     "MP Materials Q2 2024 (USD 48 per kg realised)", "https://lynasrareearths.com",
     "REO from China priced at USD 60,000 per t, i.e. valued as NdPr oxide (the magnet "
     "fraction); a mixed cerium / lanthanum basket is far cheaper."),
    ("Neo Performance Materials, Silmet (Sillamae, Estonia)", "3,000 t per year light "
     "rare-earth separation", "Argus Media, 2023; Neo Performance Materials",
     "https://www.neomaterials.com", "Estonia REO exports 40 (US) + 120 (EU) t per month = "
     "1,920 t per year."),
    ("Neo Narva magnet plant (Estonia)", "2,000 t per year sintered NdFeB, phase 1 from 2025",
     "Argus Media, 2023; Neo Performance Materials", "https://www.neomaterials.com",
     "Part of EU NdFeB capacity 80 t per month and of the EU spare option (150 t per month)."),
    ("Myanmar rare-earth supply disruption", "KIA took Chipwi and Pangwa Sep-Oct 2024; "
     "China's imports from Myanmar down 89 % y/y in Feb 2025",
     "Reuters, 28 Mar 2025; Irrawaddy, 2024", "https://www.reuters.com",
     "myanmar_disruption: Myanmar exports 0 all year, and China's exports to allies cut to "
     "85 % (REO) and 90 % (NdFeB); these two factors are assumptions."),
    # --- assumptions ----------------------------------------------------------------------
    ("Horizon and periods", "12 periods of one month, period 1 = January",
     "Model convention", "MODEL.md", "Annual tonnes are divided by 12."),
    ("Goods", "REO and NdFeB are separate goods", ASSUMPTION, "",
     "Magnet production does not draw on the REO balance; REO demand is for catalysts, "
     "alloys, polishing, glass and magnet-alloy makers."),
    ("Ally demand, REO", "US 800, Japan 1,500, South Korea 400, Australia 50, EU 1,000, "
     "Taiwan 150 t per month", ASSUMPTION, "",
     "Round numbers; the US figure is in line with USGS apparent consumption of roughly "
     "9,000-12,000 t REO per year in past summaries."),
    ("Ally demand, NdFeB", "US 800, Japan 800, South Korea 400, Australia 20, EU 1,500, "
     "Taiwan 150 t per month", ASSUMPTION, "",
     "Round numbers (US about 9,600 t per year, EU about 18,000 t per year)."),
    ("Import volumes", "normal-times supply (production plus imports) about 1-7 % above "
     "demand for every ally and good (Australia more)", ASSUMPTION, "",
     "Chosen so normal-times shortfall is zero, with shares from the public figures above."),
    ("Allies' re-exports (Japan to US, South Korea, Taiwan, EU, Australia)",
     "20-100 t per month", ASSUMPTION, "",
     "Import routes are independent of the exporter's own balance and are not cut when "
     "China cuts, although Japan's feed partly comes from China."),
    ("Import unit costs", "China REO 60,000, Vietnam 62,000, Malaysia 65,000, Estonia "
     "68,000-70,000, Japan 70,000; NdFeB China 80,000, Japan 100,000 USD per t",
     ASSUMPTION, "", "Non-Chinese supply carries a premium (Lynas / Sojitz note: more "
     "expensive than Chinese material)."),
    ("Domestic production", "US REO 100, Australia REO 80, EU REO 80 (Solvay La Rochelle), "
     "Japan NdFeB 700 (Shin-Etsu, TDK, Proterial, Daido), US NdFeB 20, EU NdFeB 80 "
     "(VAC, Neo Narva), South Korea NdFeB 20 t per month", ASSUMPTION, "",
     "Round numbers consistent with the company figures above."),
    ("Production unit costs", "REO 55,000-70,000; NdFeB 95,000-110,000 USD per t",
     ASSUMPTION, "", "Non-Chinese production costs more than Chinese imports."),
    ("Spare capacity options", "spare_cost REO 60,000 and NdFeB 100,000 USD per year per "
     "t per month; spare_max 100-300 t per month; ramp 3-6 months", ASSUMPTION, "",
     "About 15 % a year of the capital cost of idle capacity (Neo Narva: about EUR 100 m "
     "for 2,000 t per year). Japan can ramp magnets in 3 months (existing lines); new "
     "separation or magnet lines need 4-6 months."),
    ("Shortage penalty", "REO 200,000 and NdFeB 500,000 USD per t", ASSUMPTION, "",
     "Economic damage of a missing tonne (lost output downstream: one t of NdFeB is the "
     "motors of several hundred EVs); well above purchase prices."),
    ("Stock purchase price", "REO 70,000, NdFeB 100,000 USD per t", ASSUMPTION, "",
     "Extra tonnes bought on top of normal supply, at the price of non-Chinese material "
     "(contract imports from China: REO 60,000, NdFeB 80,000). Price plus holding cost is "
     "at least the dearest normal-times source (US magnets 110,000), else the optimum would "
     "buy stock only to replace normal supply, since stock may be drawn in any period."),
    ("Holding cost", "12 % of purchase price per year: REO 8,400, NdFeB 12,000 USD per t "
     "per year", ASSUMPTION, "", "Storage, insurance and cost of capital."),
    ("Initial stocks", "Japan REO 1,500 t, US REO 200 t; min = initial", ASSUMPTION, "",
     "Japan's and the US National Defense Stockpile's holdings are undisclosed; Japan's is "
     "set to one month of demand. The floor keeps existing stock from being written off."),
    ("Stock limits", "max about 6 months of demand", ASSUMPTION, "",
     "Storage limit taken from the 180-day upper JOGMEC target."),
    ("Sharing links", "US-Japan, US-EU both ways 1 month lead, 4,000 USD per t, 200 t per "
     "month; Japan-South Korea, Japan-Taiwan both ways same month, 1,500 USD per t, 150 / "
     "100 t per month; Australia to Japan, US, South Korea REO only, 1 month lead, "
     "3,000-3,500 USD per t, 300 / 300 / 200 t per month", ASSUMPTION, "",
     "Sea freight about one month across the Pacific or Atlantic, days within North-East "
     "Asia; capacity applies to each good of a '*' link."),
    ("Scenario probabilities", "normal 0.80; japan_embargo_2010, wide_china_cut, "
     "myanmar_disruption, demand_surge 0.05 each", ASSUMPTION, "",
     "Judgment: Chinese export restrictions in 2010, 2023 (gallium, germanium, graphite) "
     "and 2025 suggest a few per cent a year for each kind of event."),
    ("wide_china_cut size and length", "factor 0.2, April to September", ASSUMPTION, "",
     "May 2025 magnet exports were 26 % of May 2024; six months is longer than the 2025 "
     "episode (eased from June) to stress the plan."),
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
    "Imports": ("origin", "destination", "good", "volume", "unit_cost"),
    "Stockpiles": ("country", "good", "initial", "min", "max", "purchase_cost",
                   "holding_cost"),
    "Sharing": ("from", "to", "good", "lead_periods", "unit_cost", "capacity"),
    "Scenarios": ("scenario", "probability", "description"),
    "Disruptions": ("scenario", "kind", "country", "partner", "good", "start", "end",
                    "factor"),
}

TABLES = {
    "Countries": COUNTRIES,
    "Goods": GOODS,
    "Demand": DEMAND,
    "Production": PRODUCTION,
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
