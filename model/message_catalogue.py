"""English messages and their Swedish forms (read by `model.messages`; how to add one is there).

EXACT: fixed texts. PATTERNS: texts with `{}` for values, Swedish with `{0}`, `{1}`, ... in the
English order (other braces are text). KINDS: kinds of name that fill a pattern's slot.
PYDANTIC: pydantic's own messages (after "Input should be" became "expected",
`model.scenario.problems._plain`), one per error type. Paths, field names, values and quoted
source text stay as written; a value that is itself a message is looked up again. A message
made of parts joined by "; ", ". " or ": " needs pairs for its parts only.
"""

from __future__ import annotations

EXACT: dict[str, str] = {
    # insats fit: participant records (model/fit/, model/app/fitted.py)
    "an uploaded file needs a plain file name (such as records.csv), not a folder or a path; "
    "rename the file and upload it again": "en uppladdad fil behöver ett enkelt filnamn (som "
    "records.csv), inte en mapp eller sökväg; byt namn på filen och ladda upp den igen",
    "is not a date; allowed: 2019-01-31 or 2019/01/31":
        "är inget datum; tillåtet: 2019-01-31 eller 2019/01/31",
    "cannot be combined with multi-step records in this version; fit without --base and copy the "
    "costs, counterfactual and valuation over": "kan inte kombineras med register i flera steg i "
    "den här versionen; anpassa utan --base och kopiera över kostnaderna, jämförelsealternativet "
    "och värderingen",
    "no participant has left yet: the records cannot tell how long a stay lasts or where it ends":
        "ingen deltagare har avslutats ännu: registret kan inte säga hur länge en vistelse varar "
        "eller var den slutar",
    "the bootstrap could not refit the stay in 20 resamples running; too few exits to fit a "
    "shape": "bootstrap kunde inte anpassa vistelsen på nytt i 20 omdragningar i rad; för få "
    "avslut för att anpassa en form",
    "is empty but exit_date is given and no later stay of the same person follows; name where "
    "the participant went": "är tomt men exit_date är angivet och ingen senare vistelse för samma "
    "person följer; ange vart deltagaren gick",
    "names a column twice; each column once": "anger en kolumn två gånger; varje kolumn en gång",
    "looks like a personnummer (YYMMDD-XXXX or YYYYMMDDXXXX); insats does not need identities and "
    "will not read them: replace it by a running number or a pseudonym key kept by the project "
    "(the value is not shown here, for the same reason)": "ser ut som ett personnummer "
    "(ÅÅMMDD-XXXX eller ÅÅÅÅMMDDXXXX); insats behöver inga identiteter och läser dem inte: ersätt "
    "det med ett löpnummer eller en pseudonymnyckel som projektet behåller (värdet visas inte här, "
    "av samma skäl)",
    "is empty but exit_date is given; name where the participant went":
        "är tomt men exit_date är angivet; ange vart deltagaren gick",
    "is empty; it needs a header line (person_id, entry_date, exit_date, exit_reason) and one row "
    "per participant": "är tom; den behöver en rubrikrad (person_id, entry_date, exit_date, "
    "exit_reason) och en rad per deltagare",
    "has a header but no participants; one row per participant is needed":
        "har en rubrikrad men inga deltagare; en rad per deltagare behövs",
    "is empty; every row needs an id": "är tomt; varje rad behöver ett id",
    "is given but exit_date is empty; give both (left) or neither (still enrolled)":
        "är angivet men exit_date är tomt; ange båda (avslutad) eller inget (inskriven)",
    "is not a date; allowed: 2019-01-31, 2019/01/31, or empty while still enrolled":
        "är inget datum; tillåtet: 2019-01-31, 2019/01/31 eller tomt medan deltagaren är inskriven",
    "is empty; in multi-step records every row names its intervention":
        "är tomt; i register i flera steg anger varje rad sin insats",
    "must be a name of letters, digits, _ or -": "måste vara ett namn av bokstäver, siffror, _ eller -",
    "the bootstrap could not refit every intervention's stay in 20 resamples running; too few "
    "exits from one of them": "bootstrap kunde inte anpassa varje insats vistelse på nytt i 20 "
    "omdragningar i rad; för få avslut från någon av dem",
    # reading files (model.scenario.load, model.io)
    "file not found": "filen finns inte",
    "the file is empty; expected a scenario mapping":
        "filen är tom; här ska stå ett scenario (nycklar med värden)",
    "expected a mapping of scenario fields at the top level":
        "överst i filen ska stå scenariots fält (nycklar med värden)",
    "write the values out or use fewer aliases": "skriv ut värdena eller använd färre alias",
    "invalid Unicode in text: a lone surrogate (an escape such as \\ud800 that is no character "
    "on its own)": "ogiltig Unicode i texten: ett ensamt surrogat (en kod som \\ud800 som inte är "
                   "ett tecken i sig)",
    "an alias (*name) is used inside the mapping or list its anchor (&name) marks, so it would "
    "contain itself": "ett alias (*namn) används inuti den mappning eller lista som dess ankare "
                      "(&namn) märker, så den skulle innehålla sig själv",
    "no scenario files (*.yaml) in this folder": "inga scenariofiler (*.yaml) i den här mappen",
    "a number with more digits than can be read": "ett tal med fler siffror än som kan läsas",
    "unknown place": "okänd plats",
    "is a folder; give a file name to write": "är en mapp; ange ett filnamn att skriva till",
    "is a device, pipe or socket, not a regular file; give a file name to write":
        "är en enhet, rörledning eller socket, inte en vanlig fil; ange ett filnamn att skriva till",
    "exists and is not a folder; give a folder for the results":
        "finns och är inte en mapp; ange en mapp för resultaten",
    "exists and is not a folder; give a new folder for the results":
        "finns och är inte en mapp; ange en ny mapp för resultaten",
    " (inputs of this command among them)": " (indata till det här kommandot bland dem)",
    "a file a scenario names must lie in the scenario's own folder (subfolders allowed) or among "
    "the project's ready scenarios (scenarios/); this one is outside both":
        "en fil som ett scenario nämner måste ligga i scenariots egen mapp (undermappar går bra) "
        "eller bland projektets färdiga scenarier (scenarios/); den här ligger utanför båda",
    # the schema (model.scenario.schema, .base, .intake, .pricing, .uncertainty, model.numbers)
    "required field is missing": "obligatoriskt fält saknas",
    "the value is empty": "värdet är tomt",
    "expected a mapping (key: value pairs)": "här ska stå en mappning (nyckel: värde)",
    "expected a mapping (key: value pairs) naming the distribution, e.g. {dist: fixed, months: 3}":
        "här ska stå en mappning (nyckel: värde) som namnger fördelningen, t.ex. "
        "{dist: fixed, months: 3}",
    "expected a list (one '- item' per line, or [a, b])":
        "här ska stå en lista (en '- post' per rad, eller [a, b])",
    "a name may use only letters, digits, '_' and '-' (no spaces or dots)":
        "ett namn får bara innehålla bokstäver, siffror, '_' och '-' (inga mellanslag eller punkter)",
    "a number with a source needs the key 'value', e.g. {value: 0.3, source: '...'}":
        "ett tal med källa behöver nyckeln 'value', t.ex. {value: 0.3, source: '...'}",
    "needs at least one category": "behöver minst en kategori",
    "every cell must name the same attributes (e.g. sex and born)":
        "varje cell måste ange samma egenskaper (t.ex. sex och born)",
    "a combination of attributes appears in more than one cell":
        "en kombination av egenskaper förekommer i mer än en cell",
    "give either places or staff_fte with caseload_per_fte, not both":
        "ange antingen places eller staff_fte med caseload_per_fte, inte båda",
    "give places, or both staff_fte and caseload_per_fte":
        "ange places, eller både staff_fte och caseload_per_fte",
    "a staff cost needs both monthly_salary and funder (who pays)":
        "en personalkostnad behöver både monthly_salary och funder (vem som betalar)",
    "monthly_salary prices staff: give staff_fte and caseload_per_fte, not places (or put a "
    "per-place cost in the intervention's costs)":
        "monthly_salary prissätter personal: ange staff_fte och caseload_per_fte, inte places "
        "(eller lägg en kostnad per plats i insatsens costs)",
    "give exactly one of places or staff_fte": "ange exakt en av places och staff_fte",
    "max_wait_months needs on_timeout: the exit state for those who leave":
        "max_wait_months behöver on_timeout: det utfall de som lämnar kön får",
    "on_timeout needs max_wait_months: how long people wait before leaving":
        "on_timeout behöver max_wait_months: hur länge deltagarna väntar innan de lämnar",
    "routing needs at least one destination": "routing behöver minst en destination",
    "end_month must be after start_month": "end_month måste komma efter start_month",
    "intake needs at least one of: cohort, stream, groups, spread":
        "intake behöver minst en av: cohort, stream, groups, spread",
    "the pauses cover the whole spread: no month is left for arrivals":
        "pauserna täcker hela spridningen: ingen månad blir kvar för ankomster",
    "give monthly_hazard, or a reference scenario (optionally with monthly_hazard as the "
    "job-finding hazard after leaving the programme)":
        "ange monthly_hazard, eller ett referensscenario (eventuellt med monthly_hazard som "
        "chansen att få arbete efter programmet)",
    "give exactly one of monthly_hazard or share_at_12_months":
        "ange exakt en av monthly_hazard och share_at_12_months",
    "share_at_12_months must be above 0": "share_at_12_months måste vara över 0",
    "a transfer needs both payer and payee": "en transferering behöver både payer och payee",
    "a transfer's payer and payee must differ": "en transferings payer och payee måste vara olika",
    "production needs a payee: the actor who receives its value (the individual for the wage, "
    "staten for employer contributions)":
        "production behöver en payee: aktören som får värdet (individen för lönen, staten för "
        "arbetsgivaravgifterna)",
    "production needs a payee: who receives the value of the work (individen for the wage, "
    "staten for employer contributions)": "production behöver en payee: den som får värdet av "
    "arbetet (individen för lönen, staten för arbetsgivaravgifterna)",
    "production has no payer: it is value created, not money moved; give only payee":
        "production har ingen payer: det är skapat värde, inte flyttade pengar; ange bara payee",
    "production is the value of work: it occurs in work (in_work)":
        "production är värdet av arbete: det uppstår i arbete (in_work)",
    "production scales with the employment extent (fte)":
        "production skalas med sysselsättningsgraden (fte)",
    "a resource has no payee: it is a real cost borne by the payer; give only payer":
        "en resurs har ingen payee: det är en verklig kostnad som payer bär; ange bara payer",
    "a resource needs a payer: the actor that bears its real cost":
        "en resurs behöver en payer: aktören som bär den verkliga kostnaden",
    "give either value_per_year or the valuation's parts (unit_costs and/or components), not both":
        "ange antingen value_per_year eller värderingens delar (unit_costs och/eller components), "
        "inte båda",
    "actor_shares split value_per_year; with unit_costs or components each part names its own "
    "actor": "actor_shares delar upp value_per_year; med unit_costs eller components anger varje "
             "del sin egen aktör",
    "if the source rounded them, `normalise: true` at the top of the file rescales them to 1":
        "om källan avrundade dem skalar `normalise: true` överst i filen om dem till 1",
    "the sweep file": "svepfilen",
    "the insats version": "insats-versionen",
    "the parts' size": "delarnas storlek",
    "routing shares": "andelarna i routing",
    "entry shares": "andelarna i entry",
    "population shares": "befolkningsandelarna",
    "cell shares": "cellernas andelar",
    "referral source shares": "andelarna per remittent",
    "actor shares of the value per person-year": "aktörernas andelar av värdet per personår",
    # pyyaml's own words after "YAML syntax error at line L, column C:" (the common ones)
    "while parsing a flow mapping": "i en flow-mappning",
    "while parsing a block mapping": "i en blockmappning",
    "while parsing a flow sequence": "i en flow-lista",
    "while parsing a block collection": "i en blocklista",
    "while scanning a simple key": "i en nyckel",
    "while scanning a quoted scalar": "i en text inom citattecken",
    "while scanning a plain scalar": "i ett värde",
    "while parsing a flow node": "i ett flow-värde",
    "while parsing a block node": "i ett blockvärde",
    "mapping values are not allowed here": "värden för en mappning är inte tillåtna här",
    "could not find expected ':'": "hittade inte väntat ':'",
    "found unexpected end of stream": "filen tog slut oväntat",
    "exceeded maximum nesting depth": "för djupt nästlad",
    "found invalid Unicode character escape code": "hittade en ogiltig Unicode-escapekod",
    "a path appears twice in the group": "en sökväg förekommer två gånger i gruppen",
    "rows must hold finite numbers": "raderna måste innehålla ändliga tal",
    "matrix must hold finite numbers": "matrix måste innehålla ändliga tal",
    "matrix must be symmetric with 1 on the diagonal":
        "matrix måste vara symmetrisk med 1 på diagonalen",
    "matrix must be positive definite (a valid correlation matrix)":
        "matrix måste vara positivt definit (en giltig korrelationsmatris)",
    "need low <= mode <= high and low < high": "kräver low <= mode <= high och low < high",
    "need low < high": "kräver low < high",
    "weights must have a positive, finite sum": "weights måste ha en positiv, ändlig summa",
    "triangular needs low <= mode <= high": "triangular kräver low <= mode <= high",
    "expected a number, not true/false": "här ska stå ett tal, inte true/false",
    "expected a finite number, not nan or infinity": "här ska stå ett ändligt tal, inte nan eller oändligt",
    "expected a finite number": "här ska stå ett ändligt tal",
    "uncertainty needs a mapping with 'dist', e.g. {dist: beta, sd: 0.04}":
        "uncertainty behöver en mappning med 'dist', t.ex. {dist: beta, sd: 0.04}",
    "a number with an uncertainty needs a numeric value":
        "ett tal med osäkerhet behöver ett numeriskt värde",
    "'source' must be text, e.g. '000, PwC' or 'assumption: ...'":
        "'source' måste vara text, t.ex. '000, PwC' eller 'assumption: ...'",
    # routes and ways out (model.scenario.checks)
    "is empty: name at least one way out of the programme, e.g. arbete: {category: work}":
        "är tom: ange minst en väg ut ur programmet, t.ex. arbete: {category: work}",
    "a waiting list needs a capacity (places or staff) on the intervention":
        "en väntelista kräver att insatsen har en kapacitet (places eller personal)",
    "capacity is given in places; change it with places":
        "kapaciteten anges i places; ändra den med places",
    "the capacity's staff have a monthly_salary; change it with staff_fte so that the staff "
    "cost follows": "kapacitetens personal har en monthly_salary; ändra den med staff_fte så att "
                    "personalkostnaden följer med",
    "arrivals never stop (open stream or groups without end_month or max_participants); give a "
    "horizon_months": "deltagare slutar aldrig komma (ett öppet inflöde eller grupper utan "
                      "end_month eller max_participants); ange horizon_months",
    "an exit during an intervention cannot lead back into the same intervention":
        "ett avslut under en insats kan inte leda tillbaka till samma insats",
    "capacity changes need a capacity": "kapacitetsändringar kräver en kapacitet",
    "zero capacity, but participants are routed here: they would wait forever":
        "kapaciteten är noll, men deltagare skickas hit: de skulle vänta för alltid",
    # uncertainty and calibration (model.psa)
    "a joint group shared by compared scenarios must have the same number of rows in each":
        "en gemensam grupp som jämförda scenarier delar måste ha lika många rader i alla",
    "give reported (e.g. 'knappt 10 miljoner') or both value and sd":
        "ange reported (t.ex. 'knappt 10 miljoner') eller både value och sd",
    "give either reported (the source's words; value and sd follow from them) or value and sd, "
    "not both": "ange antingen reported (källans ord; value och sd följer av dem) eller value "
                "och sd, inte båda",
    "reported must be text, the figure as the source words it":
        "reported måste vara text, siffran så som källan skriver den",
    "check the targets and widen the priors": "kontrollera målen och vidga priorfördelningarna",
    "a draw that changes the lattice needs one population cell":
        "en dragning som ändrar gittret kräver en enda populationscell",
    # sweeps (model.sweep)
    "is not a part of this sweep": "är inte en del av det här svepet",
    "wait for it to finish": "vänta tills det är klart",
    "wait for it to finish, or choose another --out": "vänta tills det är klart, eller välj en annan --out",
    "the results are incomplete or mixed; recompute the bad parts with `insats sweep SWEEP.yaml "
    "--out DIR --resume`": "resultaten är ofullständiga eller blandade; räkna om de felaktiga "
                           "delarna med `insats sweep SWEEP.yaml --out DIR --resume`",
    "its lock file keeps changing (other sweeps are starting in this folder); wait for them, or "
    "choose another --out": "dess låsfil ändras hela tiden (andra svep startar i den här mappen); "
                            "vänta på dem, eller välj en annan --out",
    "is not a sweep manifest (not a JSON object)": "är ingen svepbeskrivning (inget JSON-objekt)",
    "does not match n_points and points_per_part": "stämmer inte med n_points och points_per_part",
    "is missing": "saknas",
    "computed again": "räknad igen",
    "a parameter path must be non-empty, without surrounding spaces":
        "en parametersökväg får inte vara tom eller ha mellanslag runt sig",
    "some points of the design give invalid scenarios (first ones below); narrow the ranges or "
    "distributions": "några punkter i designen ger ogiltiga scenarier (de första nedan); smalna "
                     "av intervallen eller fördelningarna",
    "a psa design draws the scenarios' uncertainty declarations, and none of the scenarios "
    "declares any (give a number `uncertainty:`, or use a random design with parameters)":
        "en psa-design drar scenariernas osäkerhetsangivelser, och inget av scenarierna anger "
        "någon (ge ett tal `uncertainty:`, eller använd en random-design med parametrar)",
    "a psa design is drawn from its base scenarios: see model.sweep.psa":
        "en psa-design dras från sina basscenarier: se model.sweep.psa",
    "a psa design needs draws: the number of parameter draws":
        "en psa-design behöver draws: antalet parameterdragningar",
    "give low and high (a range), values (grid levels), or a dist":
        "ange low och high (ett intervall), values (nivåer i ett rutnät) eller en dist",
    "a psa design draws the scenarios' own uncertainty declarations: remove parameters (or use "
    "a random design to list them here)": "en psa-design drar scenariernas egna "
    "osäkerhetsangivelser: ta bort parameters (eller använd en random-design för att lista dem här)",
    "a psa design prices each draw as an expected result (the expected-value path, else the "
    "mean of the scenarios' uncertainty.replications_per_draw simulated cohorts): leave out "
    "replications": "en psa-design prissätter varje dragning som ett förväntat resultat "
    "(väntevärdesvägen, annars medelvärdet av scenariernas uncertainty.replications_per_draw "
    "simulerade kohorter): utelämna replications",
    "parameters: give at least one (or use design kind psa to draw the scenarios' own "
    "uncertainty declarations)": "parameters: ange minst en (eller använd designtypen psa för att "
                                "dra scenariernas egna osäkerhetsangivelser)",
    "base sample size N (a power of 2)": "basstickprovets storlek N (en potens av 2)",
    "a base scenario changed since the interrupted run (its hash differs); start in a new folder":
        "ett basscenario har ändrats sedan den avbrutna körningen (dess hash skiljer sig); börja "
        "i en ny mapp",
    "already holds a sweep; add --resume to continue it, or choose another --out":
        "innehåller redan ett svep; lägg till --resume för att fortsätta det, eller välj en annan --out",
    "holds result parts but no sweep.json; choose another --out":
        "innehåller resultatdelar men ingen sweep.json; välj en annan --out",
    "not a sweep folder (no sweep.json); run `insats sweep SWEEP.yaml --out DIR` first":
        "ingen svepmapp (ingen sweep.json); kör `insats sweep SWEEP.yaml --out DIR` först",
    "the sweep is not complete; finish it with `insats sweep SWEEP.yaml --out DIR --resume`":
        "svepet är inte klart; gör klart det med `insats sweep SWEEP.yaml --out DIR --resume`",
    "expected numbers separated by commas, e.g. 200000,500000 (a decimal point, not a comma)":
        "här ska stå tal åtskilda med kommatecken, t.ex. 200000,500000 (decimalpunkt, inte "
        "decimalkomma)",
    # commands (model.api, model.executors, model.report, model.app, model.exact)
    "compare needs at least two scenarios": "compare behöver minst två scenarier",
    "give either --scheduler or --dask-local, not both":
        "ange antingen --scheduler eller --dask-local, inte båda",
    "exact mode needs a scenario without capacity limits (waits depend on queueing); use the "
    "simulation (--method des)": "exakt läge kräver ett scenario utan kapacitetstak (väntetider "
                                 "beror på köer); använd simuleringen (--method des)",
    "--sweep needs model/sweep.py and model/analysis.py, which this version of insats does not "
    "have": "--sweep kräver model/sweep.py och model/analysis.py, som den här versionen av "
            "insats saknar",
    "an uploaded file needs a plain file name (such as scenario.yaml), not a folder or a path; "
    "rename the file and upload it again": "en uppladdad fil behöver ett enkelt filnamn (som "
    "scenario.yaml), inte en mapp eller sökväg; byt namn på filen och ladda upp den igen",
    "a source is required: the public document (title, publisher, year, URL, table) or "
    "'assumption: <reason>'": "en källa krävs: det offentliga dokumentet (titel, utgivare, år, "
                              "URL, tabell) eller 'assumption: <skäl>'",
    "an assumption needs its reason: 'assumption: <reason>'":
        "ett antagande behöver sitt skäl: 'assumption: <skäl>'",
    "a unit cost needs its source: write {value: 12000, source: '...'} (or source: 'assumption: "
    "<reason>')": "en enhetskostnad behöver sin källa: skriv {value: 12000, source: '...'} "
                  "(eller source: 'assumption: <skäl>')",
    "or give a path to a .yaml file": "eller ange en sökväg till en .yaml-fil",
    # why the expected-value path does not apply (model.expected.why_not; the page says these)
    "the run stops at simulation.horizon_months and cuts participants' stays; the expected-value "
    "path follows every participant to the end": "körningen slutar vid en fast tidpunkt "
    "(simulation.horizon_months) och avbryter deltagarnas tid i programmet; väntevärdesvägen "
    "följer varje deltagare till slutet",
    "arrivals never stop (an open stream or group intake without a cap)":
        "deltagare fortsätter att komma in utan slut (ett öppet inflöde eller gruppintag utan tak)",
    "fixed or staff costs run until the last participant leaves (no costs.project_months); give "
    "the project period to use the expected-value path": "fasta kostnader och personalkostnader "
    "löper tills sista deltagaren lämnat (ingen projektperiod, costs.project_months); ange "
    "projektperioden för att använda väntevärdesvägen",
    "per-place costs run until the last participant leaves (no costs.project_months)":
        "kostnader per plats löper tills sista deltagaren lämnat (ingen projektperiod, "
        "costs.project_months)",
    "a budget is spread over the project period, which without costs.project_months runs until "
    "the last participant leaves; give the project period to use the expected-value path":
        "en budget sprids över projektperioden, som utan costs.project_months löper tills sista "
        "deltagaren lämnat; ange projektperioden för att använda väntevärdesvägen",
    "an intervention's staff are costed until the last participant leaves (no "
    "costs.project_months); give the project period to use the expected-value path":
        "en insats personal kostar tills sista deltagaren lämnat (ingen projektperiod, "
        "costs.project_months); ange projektperioden för att använda väntevärdesvägen",
    "arrivals never stop": "deltagare fortsätter att komma in utan slut",
    "this run": "den här körningen",
    "this sweep": "det här svepet",
    "each model run": "varje modellkörning",
    "infinitely many": "oändligt många",
    "use the simulation (--method des)": "använd simuleringen (--method des)",
    "use method: des": "använd method: des",
    "use --method des": "använd --method des",
}

PATTERNS: list[tuple[str, str]] = [
    # insats fit: participant records (model/fit/)
    ("maps to '{}', not an exit state of {}; allowed: {}",
     "pekar på '{0}', som inte är ett avslutstillstånd i {1}; tillåtet: {2}"),
    ("no shape of the stay could be fitted (the optimiser did not converge for {}); too few or "
     "too irregular exits", "ingen form för vistelsen kunde anpassas (optimeringen konvergerade "
     "inte för {0}); för få eller för oregelbundna avslut"),
    ("'{}' is not VALUE=EXIT_STATE", "'{0}' är inte VÄRDE=AVSLUTSTILLSTÅND"),
    ("'{}': write VALUE=EXIT_STATE, the state in letters, digits, _ or -",
     "'{0}': skriv VÄRDE=AVSLUTSTILLSTÅND, tillståndet med bokstäver, siffror, _ eller -"),
    ("misses the column(s) {}; the header must name {} (optional: {})",
     "saknar kolumnen/kolumnerna {0}; rubrikraden måste ange {1} (valfria: {2})"),
    ("is larger than {} MB; a participant register is far smaller",
     "är större än {0} MB; ett deltagarregister är mycket mindre"),
    ("has {} fields for {} columns (separator '{}'); every row needs one field a column",
     "har {0} fält för {1} kolumner (avgränsare '{2}'); varje rad behöver ett fält per kolumn"),
    ("is before month 0 ({}); give --month-zero on or before the first entry",
     "är före månad 0 ({0}); ange --month-zero på eller före första inskrivningen"),
    ("repeats the id of line {}; records of one intervention have one row per participant",
     "upprepar id:t från rad {0}; register över en insats har en rad per deltagare"),
    ("cannot be read: {}; give the records file (CSV)", "kan inte läsas: {0}; ange registerfilen (CSV)"),
    ("is not UTF-8 text (byte {}); save the file as CSV UTF-8",
     "är ingen UTF-8-text (byte {0}); spara filen som CSV UTF-8"),
    ("repeats the id of line {}; single-step records have one row per participant",
     "upprepar id:t från rad {0}; register i ett steg har en rad per deltagare"),
    ("is after the data date {}; allowed: up to the data date, or empty while still enrolled",
     "är efter uttagsdatumet {0}; tillåtet: till och med uttagsdatumet, eller tomt medan "
     "deltagaren är inskriven"),
    ("is after the data date {}; allowed: up to the data date",
     "är efter uttagsdatumet {0}; tillåtet: till och med uttagsdatumet"),
    ("is empty, but the same person's stay in {} on line {} comes later; give this stay's exit date",
     "är tomt, men samma persons vistelse i {0} på rad {1} kommer senare; ange den här "
     "vistelsens slutdatum"),
    ("is before the exit ({}) of the same person's stay on line {}; stays of one person follow "
     "each other", "är före avslutet ({0}) av samma persons vistelse på rad {1}; en persons "
     "vistelser följer på varandra"),
    ("is before the entry date {}; allowed: on or after the entry",
     "är före inskrivningsdatumet {0}; tillåtet: på eller efter inskrivningen"),
    ("is not a known exit reason; allowed: {}{}", "är inget känt avslutsskäl; tillåtet: {0}{1}"),
    ("names '{}', but the same person's next stay (line {}) is in {}; leave it empty or name {}",
     "anger '{0}', men samma persons nästa vistelse (rad {1}) är i {2}; lämna det tomt eller ange "
     "{3}"),
    ("no stay in {} has ended yet: the records cannot tell how long {} lasts or where it leads",
     "ingen vistelse i {0} har avslutats ännu: registret kan inte säga hur länge {1} varar eller "
     "vart den leder"),
    ("no shape of the stay in {} could be fitted ({} did not converge); too few exits",
     "ingen form för vistelsen i {0} kunde anpassas ({1} konvergerade inte); för få avslut"),
    ("no exit from {} in the resample", "inget avslut från {0} i omdragningen"),
    ("unknown family {}", "okänd fördelningsfamilj {0}"),
    # reading files
    ("cannot open: {}", "kan inte öppna: {0}"),
    ("cannot read: {}", "kan inte läsa: {0}"),
    ("is a folder; expected {}", "är en mapp; här ska stå {0}"),
    ("is not a regular file (a pipe, device or socket); expected {}",
     "är ingen vanlig fil (en rörledning, enhet eller socket); här ska stå {0}"),
    ("is larger than {} MB; scenario and sweep files are far smaller (is this the right file?)",
     "är större än {0} MB; scenario- och svepfiler är mycket mindre (är det rätt fil?)"),
    ("not UTF-8 text ({} at byte {})", "ingen UTF-8-text ({0} vid byte {1})"),
    ("YAML error: {}", "YAML-fel: {0}"),
    ("YAML syntax error at {}: {}", "YAML-syntaxfel vid {0}: {1}"),
    ("line {}, column {}", "rad {0}, kolumn {1}"),
    ("did not find expected {}", "hittade inte väntat {0}"),
    ("{} ({} started at line {}, column {})", "{0} ({1} som började på rad {2}, kolumn {3})"),
    ("found character {} that cannot start any token", "tecknet {0} kan inte inleda något värde"),
    ("expected <block end>, but found {}", "väntade slut på blocket, men hittade {0}"),
    ("found undefined alias {}", "hittade ett odefinierat alias {0}"),
    ("found unknown escape character {}", "hittade ett okänt escape-tecken {0}"),
    ("found duplicate anchor {}; first occurrence", "hittade ett dubblerat ankare {0}; första förekomsten"),
    (" ({} started at line {}, column {})", " ({0} som började på rad {1}, kolumn {2})"),
    ("unreadable value: {}", "oläsligt värde: {0}"),
    ("nested too deeply (more than {} levels of mappings and lists)",
     "för djupt nästlad (mer än {0} nivåer av mappningar och listor)"),
    ("control character {} at line {}, column {}: YAML files may hold only printable text (was a "
     "binary file or a terminal's colour code pasted in?)",
     "styrtecken {0} på rad {1}, kolumn {2}: YAML-filer får bara innehålla skrivbar text "
     "(klistrades en binärfil eller en terminals färgkod in?)"),
    ("aliases (*name) expand this file to more than {} extra values (an alias bomb?)",
     "alias (*namn) gör den här filen större med mer än {0} extra värden (en aliasbomb?)"),
    ("use a decimal point: {}", "använd decimalpunkt: {0}"),
    ("expected a valid integer, not text; write it without quotes",
     "ska vara ett heltal, inte text; skriv det utan citattecken"),
    ("expected a valid number, not text; write it without quotes",
     "ska vara ett tal, inte text; skriv det utan citattecken"),
    ("a share is a fraction between 0 and 1: write {}, not {}",
     "en andel är ett bråktal mellan 0 och 1: skriv {0}, inte {1}"),
    ("expected less than or equal to 1 (a share); if {} is a percent, write {}",
     "ska vara högst 1 (en andel); om {0} är procent, skriv {1}"),
    ("write the number without spaces: {}", "skriv talet utan mellanslag: {0}"),
    ("this design has {} points; at most {} are allowed (fewer levels, points or parameters)",
     "den här designen har {0} punkter; högst {1} är tillåtna (färre nivåer, punkter eller "
     "parametrar)"),
    ("YAML tag !!{} ({}) is not allowed: write plain text, numbers, true/false, mappings and lists",
     "YAML-taggen !!{0} ({1}) är inte tillåten: skriv vanlig text, tal, true/false, mappningar "
     "och listor"),
    ("YAML tag {} is not allowed: write plain text, numbers, true/false, mappings and lists",
     "YAML-taggen {0} är inte tillåten: skriv vanlig text, tal, true/false, mappningar och listor"),
    ("key '{}' is given more than once here; YAML would silently keep only the last one",
     "nyckeln '{0}' anges mer än en gång här; YAML skulle i tysthet bara behålla den sista"),
    ("cannot read this folder: {}", "kan inte läsa den här mappen: {0}"),
    ("holds more than {} values (mappings, lists and single values); scenario, sweep, target and "
     "unit-cost files hold a few thousand at most (is this the right file?)",
     "innehåller mer än {0} värden (mappningar, listor och enskilda värden); scenario-, svep-, "
     "mål- och enhetskostnadsfiler innehåller högst några tusen (är det rätt fil?)"),
    ("reference scenario not found at {}", "referensscenariot finns inte på {0}"),
    ("scenario file not found at {}", "scenariofilen finns inte på {0}"),
    ("scenario file not found at {} (paths in a sweep file are relative to its folder, {})",
     "scenariofilen finns inte på {0} (sökvägar i en svepfil utgår från dess mapp, {1})"),
    # writing files (model.io)
    ("is an input of this command ({}); give another file to write",
     "är indata till det här kommandot ({0}); ange en annan fil att skriva till"),
    ("holds input files of this command ({}); the results are written as new files, so give a "
     "new folder", "innehåller indatafiler till det här kommandot ({0}); resultaten skrivs som "
     "nya filer, så ange en ny mapp"),
    ("already holds {}, which this command would replace; give a new or empty folder, or move "
     "them", "innehåller redan {0}, som det här kommandot skulle ersätta; ange en ny eller tom "
     "mapp, eller flytta dem"),
    ("is a folder that holds other files (it has no {}){}; results replace the whole folder, so "
     "give a new or empty one", "är en mapp med andra filer (den har ingen {0}){1}; resultaten "
     "ersätter hela mappen, så ange en ny eller tom mapp"),
    ("holds files insats did not write here: {}{}; results replace the whole folder, so move "
     "them or give another folder", "innehåller filer som insats inte skrev här: {0}{1}; "
     "resultaten ersätter hela mappen, så flytta dem eller ange en annan mapp"),
    (" (among them inputs of this command: {})", " (bland dem indata till det här kommandot: {0})"),
    # the schema
    ("unknown key '{}'", "okänd nyckel '{0}'"),
    ("did you mean '{}'?", "menade du '{0}'?"),
    ("; did you mean '{}'?", "; menade du '{0}'?"),
    ("did you mean '{}'? Allowed here: {}", "menade du '{0}'? Tillåtet här: {1}"),
    ("did you mean '{}'? Allowed: {}", "menade du '{0}'? Tillåtet: {1}"),
    ("did you mean '{}'? Groups: {}", "menade du '{0}'? Grupper: {1}"),
    ("Allowed here: {}", "Tillåtet här: {0}"),
    ("Allowed: {}", "Tillåtet: {0}"),
    ("allowed: {}", "tillåtet: {0}"),
    ("key {} is not allowed: {}; write keys as text",
     "nyckeln {0} är inte tillåten: {1}; skriv nycklar som text"),
    ("unknown distribution '{}'", "okänd fördelning '{0}'"),
    ("unknown distribution {}; allowed: {}", "okänd fördelning {0}; tillåtna: {1}"),
    ("needs 'dist:' naming the distribution ({})", "behöver 'dist:' som namnger fördelningen ({0})"),
    ("not allowed; {}", "inte tillåtet; {0}"),
    ("needs at least {} items", "behöver minst {0} poster"),
    ("needs at least {} item", "behöver minst {0} post"),
    ("{} must sum to 1, they sum to {}", "{0} måste summera till 1, de summerar till {1}"),
    ("{} given both as shares and in joint: give them in joint only",
     "{0} anges både som andelar och i joint: ange dem bara i joint"),
    ("{} given both in budget and in budget_by_year: give each funder's budget once",
     "{0} anges både i budget och i budget_by_year: ange varje finansiärs budget en gång"),
    ("budget_by_year.{} needs at least one year's amount",
     "budget_by_year.{0} behöver minst ett års belopp"),
    ("budget_by_year.{} gives {} years, but the project period (costs.project_months) is {} months",
     "budget_by_year.{0} anger {1} år, men projektperioden (costs.project_months) är {2} månader"),
    ("end_month must be after start_month ({}), or no one arrives",
     "end_month måste komma efter start_month ({0}), annars kommer ingen"),
    ("use a decimal point: {}.{} (a comma separates items inside {...})",
     "använd decimalpunkt: {0}.{1} (ett kommatecken skiljer poster åt inuti {...})"),
    ("row {} has {} values for {} paths", "rad {0} har {1} värden för {2} sökvägar"),
    (" (row {} has {})", " (rad {0} har {1})"),
    ("{} named twice: an input cannot be correlated with itself",
     "{0} nämns två gånger: ett indata kan inte korreleras med sig självt"),
    ("matrix must be {} rows of {} numbers for {} names{}",
     "matrix måste vara {0} rader med {1} tal för {2} namn{3}"),
    ("matrix must be {} x {} for {} names", "matrix måste vara {0} x {1} för {2} namn"),
    ("weights has {} entries but values has {}", "weights har {0} poster men values har {1}"),
    ("a CV below {} is a fixed duration: use dist: fixed",
     "en CV under {0} är en fast längd: använd dist: fixed"),
    ("a number with a source takes only the keys 'value', 'source' and 'uncertainty', not {}",
     "ett tal med källa tar bara nycklarna 'value', 'source' och 'uncertainty', inte {0}"),
    ("uncertainty.{} must be text", "uncertainty.{0} måste vara text"),
    ("uncertainty: {}", "uncertainty: {0}"),
    ("a {} mean must be above 0, not {}", "medelvärdet för {0} måste vara över 0, inte {1}"),
    ("sd {} is {} times the mean; at most {} times is allowed (a wider {} puts almost all its "
     "probability at 0)", "sd {0} är {1} gånger medelvärdet; högst {2} gånger är tillåtet (en "
     "bredare {3} lägger nästan all sannolikhet vid 0)"),
    ("dist {} takes {}; got {}", "dist {0} tar {1}; angivet: {2}"),
    ("a beta mean must be between 0 and 1, not {}",
     "medelvärdet för beta måste ligga mellan 0 och 1, inte {0}"),
    ("sd {} is too large for a beta with mean {} (sd must be below {})",
     "sd {0} är för stor för en beta med medelvärdet {1} (sd måste vara under {2})"),
    ("sd must be above 0, not {}", "sd måste vara över 0, inte {0}"),
    ("method must be one of {}", "method måste vara en av {0}"),
    ("its reference scenario: {}", "dess referensscenario: {0}"),
    # routes and ways out
    # the kind of name in the first slot is in KINDS ("intervention" -> "insatsen")
    ("unknown {} '{}'; allowed: {}", "{0} '{1}' finns inte; tillåtna: {2}"),
    ("unknown {} '{}': the scenario defines none", "{0} '{1}' finns inte: scenariot anger inga"),
    ("unknown {} '{}'. Allowed: {}", "{0} '{1}' finns inte. Tillåtna: {2}"),
    ("unknown {} '{}'; did you mean '{}'? Allowed: {}",
     "{0} '{1}' finns inte; menade du '{2}'? Tillåtna: {3}"),
    ("intervention name '{}' is used more than once", "insatsnamnet '{0}' används mer än en gång"),
    ("'{}' is both an intervention and an exit state", "'{0}' är både en insats och ett utfall"),
    ("intervention '{}' is unreachable: no entry, initial state or route leads to it",
     "insatsen '{0}' går inte att nå: inget intag, starttillstånd eller flöde leder dit"),
    ("a loop with no way out: from '{}' no route reaches an exit state",
     "en slinga utan väg ut: från '{0}' når inget flöde ett utfall"),
    ("a loop with no way out for the subgroup {}: with its overrides, no route from '{}' reaches "
     "an exit state", "en slinga utan väg ut för undergruppen {0}: med dess avvikelser når inget "
     "flöde från '{1}' ett utfall"),
    ("a participant makes {} visits on average (most to '{}'): a loop that almost never ends; "
     "give it a real way out (at most {} visits per participant are allowed)",
     "en deltagare gör i genomsnitt {0} besök (flest till '{1}'): en slinga som nästan aldrig "
     "tar slut; ge den en verklig väg ut (högst {2} besök per deltagare är tillåtet)"),
    ("at {}, {}: a participant makes {} visits on average (most to '{}'): a loop that almost "
     "never ends; narrow the ranges", "vid {0}, {1}: en deltagare gör i genomsnitt {2} besök "
     "(flest till '{3}'): en slinga som nästan aldrig tar slut; smalna av intervallen"),
    # sizes (model.limits, model.psa.size, model.psa.calibrate_size)
    ("not a memory size: {} (write e.g. 16G or 512M)",
     "ingen minnesstorlek: {0} (skriv t.ex. 16G eller 512M)"),
    ("this run would need about {} of memory: {}, {} ({}); the limit is {}. Lower {} or {}, or "
     "raise the limit with --max-memory", "den här körningen skulle behöva omkring {0} minne: "
     "{1}, {2} ({3}); gränsen är {4}. Sänk {5} eller {6}, eller höj gränsen med --max-memory"),
    ("these {} runs together would need about {} of memory ({}); the limit is {}. Use fewer "
     "replications (--reps), or raise the limit with --max-memory",
     "de här {0} körningarna skulle tillsammans behöva omkring {1} minne ({2}); gränsen är {3}. "
     "Använd färre körningar (--reps), eller höj gränsen med --max-memory"),
    ("one run of this sweep ({}: {}, {}) would need about {} of memory; the limit is {}. Use "
     "fewer replications (the sweep's replications or --reps), narrow the ranges that raise {}'s "
     "{}, or raise the limit with --max-memory", "en körning av det här svepet ({0}: {1}, {2}) "
     "skulle behöva omkring {3} minne; gränsen är {4}. Använd färre körningar (svepets "
     "replications eller --reps), smalna av intervallen som höjer {5}s {6}, eller höj gränsen "
     "med --max-memory"),
    # where a run's size comes from (model.limits._drivers), inside the messages above
    ("{} participants and {} visits per replication", "{0} deltagare och {1} besök per körning"),
    ("{} participants and {} visits per replication (most participants from {}: {})",
     "{0} deltagare och {1} besök per körning (flest deltagare från {2}: {3})"),
    ("a cohort of {}", "en kohort på {0}"),
    ("groups of {}", "grupper om {0}"),
    ("{} a month", "{0} i månaden"),
    ("{} for {} months to {}", "{0} i {1} månader till {2}"),
    ("{} for {} months to {}, up to intake.max_participants",
     "{0} i {1} månader till {2}, högst intake.max_participants"),
    ("{} replications", "{0} körningar"),
    ("{} replication", "{0} körning"),
    ("{} parameter draws would need about {} of memory (about {} a draw, measured on {} draws); "
     "the limit is {}. Use fewer draws (--draws) or raise the limit with --max-memory",
     "{0} parameterdragningar skulle behöva omkring {1} minne (omkring {2} per dragning, mätt "
     "på {3} dragningar); gränsen är {4}. Använd färre dragningar (--draws) eller höj gränsen "
     "med --max-memory"),
    ("the sampling finished and its rows and diagnostics are saved there (posterior.csv, "
     "diagnostics.csv), but some outputs were not written ({}): {}",
     "samplingen blev klar och dess rader och diagnostik är sparade där (posterior.csv, "
     "diagnostics.csv), men några utdata skrevs inte ({0}): {1}"),
    ("the calibrated scenarios", "de kalibrerade scenarierna"),
    ("{} runs × ({} + {} walkers × {} steps) = {} likelihood evaluations; the limit is {}. Use "
     "fewer walkers or steps, or raise the limit with --max-evaluations",
     "{0} körningar × ({1} + {2} vandrare × {3} steg) = {4} likelihoodberäkningar; gränsen är "
     "{5}. Använd färre vandrare eller steg, eller höj gränsen med --max-evaluations"),
    # insats fit: what the records cannot tell (the fit report's notes)
    ("Stays beyond {} months (the longest seen) are the fitted {} shape's extrapolation, not data.",
     "Vistelser längre än {0} månader (den längsta som syns) är den anpassade formens ({1}) "
     "extrapolation, inte data."),
    ("{} of {} were still enrolled at {}: where they will go is assumed to follow the shares of "
     "those who left (destination independent of the time of exit).",
     "{0} av {1} var fortfarande inskrivna den {2}: vart de går antas följa andelarna bland dem "
     "som avslutades (avslutsorsaken oberoende av när man avslutas)."),
    ("Destinations differ between early and late exits (p = {}); the routing's shares average over "
     "time, so early and late exits are mixed.",
     "Avslutsorsakerna skiljer sig mellan tidiga och sena avslut (p = {0}); andelarna i routing "
     "är medel över tiden, så tidiga och sena avslut blandas."),
    ("Fewer than 10 exits to {}: their shares are wide (see the intervals) and the PSA carries "
     "that.", "Färre än 10 avslut till {0}: deras andelar är osäkra (se intervallen) och "
     "osäkerhetsanalysen bär det."),
    ("The {} shape fits best (AIC {}); the scenario schema has no {} stay, so the scenario uses "
     "the {} (AIC {}, {} more).",
     "Formen {0} passar bäst (AIC {1}); scenarioformatet har ingen vistelse av formen {2}, så "
     "scenariot använder {3} (AIC {4}, {5} mer)."),
    ("Only {} exits among {} participants: the uncertainty is wide (the mean stay's 95 % interval "
     "runs from {} to {} months, the destination shares' by tens of points); the intervals and "
     "the PSA carry it, and no decision should rest on the fitted values alone.",
     "Bara {0} avslut bland {1} deltagare: osäkerheten är stor (medelvistelsens 95 %-intervall "
     "går från {2} till {3} månader, avslutsandelarnas över tiotals procentenheter); intervallen "
     "och osäkerhetsanalysen bär den, och inget beslut bör vila på de anpassade värdena ensamma."),
    ("What would have happened without the programme, costs and the value of a job are not in "
     "participant records: they come from a base scenario (--base) or stay at the defaults, which "
     "are labelled assumptions.",
     "Vad som hade hänt utan programmet, kostnader och värdet av ett arbete finns inte i "
     "deltagarregister: de kommer från ett basscenario (--base) eller stannar vid "
     "standardvärdena, som är märkta som antaganden."),
    ("What would have happened without the programme, costs and the value of a job are not in "
     "participant records: they stay at the defaults, which are labelled assumptions.",
     "Vad som hade hänt utan programmet, kostnader och värdet av ett arbete finns inte i "
     "deltagarregister: de stannar vid standardvärdena, som är märkta som antaganden."),
    ("No attribute columns: the population is one unnamed category.",
     "Inga attributkolumner: populationen är en enda namnlös kategori."),
    ("The {} fit did not converge and is left out of the comparison.",
     "Anpassningen {0} konvergerade inte och är utelämnad ur jämförelsen."),
    ("{} bootstrap resamples had no exit or no converging fit and were drawn again: the intervals "
     "lean on the resamples that could be fitted.",
     "{0} bootstrapurval saknade avslut eller en konvergerande anpassning och drogs om: "
     "intervallen vilar på de urval som gick att anpassa."),
    ("{} bootstrap resamples had a step with no exit or no converging fit and were drawn again: "
     "the intervals lean on the resamples that could be fitted.",
     "{0} bootstrapurval hade ett steg utan avslut eller utan konvergerande anpassning och drogs "
     "om: intervallen vilar på de urval som gick att anpassa."),
    ("{}: {} stays, {} still open; beyond its longest stay the {} shape is extrapolation.",
     "{0}: {1} vistelser, {2} fortfarande pågående; bortom den längsta vistelsen är formen {3} "
     "extrapolation."),
    ("{}: {} stays, {} still open; beyond its longest stay the {} shape is extrapolation; fewer "
     "than 10 exits to {}, so their shares are wide.",
     "{0}: {1} vistelser, {2} fortfarande pågående; bortom den längsta vistelsen är formen {3} "
     "extrapolation; färre än 10 avslut till {4}, så deras andelar är osäkra."),
    ("{}: destinations differ between early and late exits (p = {}); its routing averages over "
     "time.", "{0}: avslutsorsakerna skiljer sig mellan tidiga och sena avslut (p = {1}); dess "
     "routing är ett medel över tiden."),
    ("A person's next step depends only on the step they leave (a Markov chain over "
     "interventions): earlier steps, and the time spent in them, do not change it.",
     "En persons nästa steg beror bara på steget hen lämnar (en markovkedja över insatser): "
     "tidigare steg, och tiden i dem, ändrar det inte."),
    ("{} of {} were still enrolled at {}: where they go next is assumed to follow the shares of "
     "those who left the same step.",
     "{0} av {1} var fortfarande inskrivna den {2}: vart de går härnäst antas följa andelarna "
     "bland dem som lämnade samma steg."),
    # uncertainty and calibration
    ("its uncertainty reaches {} participants at the {} quantile, but the intake brings {} people "
     "on average (at most {} in {} of cohorts), so a cap above that does not change the number of "
     "participants; bound the prior by what the intake can deliver, or let the intake deliver "
     "more", "dess osäkerhet når {0} deltagare vid kvantilen {1}, men intaget ger i genomsnitt "
     "{2} personer (högst {3} i {4} av kohorterna), så ett tak över det ändrar inte antalet "
     "deltagare; begränsa priorn till vad intaget kan ge, eller låt intaget ge fler"),
    ("its uncertainty reaches {} at the {} quantile, which is not allowed here ({}); choose a "
     "distribution that stays within the allowed values (beta for shares, gamma or lognormal for "
     "positive amounts)", "dess osäkerhet når {0} vid kvantilen {1}, vilket inte är tillåtet här "
     "({2}); välj en fördelning som håller sig inom de tillåtna värdena (beta för andelar, gamma "
     "eller lognormal för positiva belopp)"),
    ("no uncertain input is named '{}'; names: {}", "inget osäkert indata heter '{0}'; namn: {1}"),
    ("the joint group '{}' sets {} to {}, outside the support of its declared prior ({}: {} to "
     "{}); re-run the calibration under the declared prior, or correct the prior",
     "den gemensamma gruppen '{0}' sätter {1} till {2}, utanför stödet för dess angivna prior "
     "({3}: {4} till {5}); kör om kalibreringen med den angivna priorn, eller rätta priorn"),
    ("uncertainty named '{}' is also given in {} ({}) with another value or distribution; a "
     "shared name must describe the same number", "osäkerheten som heter '{0}' anges också i {1} "
     "({2}) med ett annat värde eller en annan fördelning; ett delat namn måste beskriva samma tal"),
    ("names no number of this scenario ({})", "anger inget tal i det här scenariot ({0})"),
    ("sets {} to {}, which is not allowed there ({})",
     "sätter {0} till {1}, vilket inte är tillåtet där ({2})"),
    ("cannot be set together ({})", "kan inte sättas tillsammans ({0})"),
    ("only {} of {} prior draws give a finite likelihood; {} walkers need more",
     "bara {0} av {1} priordragningar ger en ändlig likelihood; {2} vandrare behöver fler"),
    ("{} of {} parameter draws give a scenario that is not allowed (first: draw {}); narrow the "
     "distributions or the joint rows so that every draw is valid",
     "{0} av {1} parameterdragningar ger ett scenario som inte är tillåtet (först: dragning {2}); "
     "smalna av fördelningarna eller de gemensamma raderna så att varje dragning är giltig"),
    ("joint groups {}", "gemensamma grupper {0}"),
    ("between {} and {}", "mellan {0} och {1}"),
    ("at least {}", "minst {0}"),
    ("burn ({}) must be below steps ({})", "burn ({0}) måste vara mindre än steps ({1})"),
    ("unknown metric '{}'; e.g. revenue:1y, cost, share_work, share:<exit state>, "
     "mean_months_to:<exit state>, participants", "okänt mått '{0}'; t.ex. revenue:1y, cost, "
     "share_work, share:<utfall>, mean_months_to:<utfall>, participants"),
    ("unknown metric '{}'", "okänt mått '{0}'"),
    ("no scenario named '{}'; scenarios: {}", "inget scenario heter '{0}'; scenarier: {1}"),
    ("{}: no parameter set reproduces the targets at all; check the targets and widen the priors",
     "{0}: ingen parameteruppsättning återger målen alls; kontrollera målen och vidga "
     "priorfördelningarna"),
    ("cannot read {} as a reported figure; write it as the source does, e.g. '7 miljoner', "
     "'drygt 3 miljoner', 'knappt 10 miljoner', '6,8 miljoner', 'ca 4 månader', '34,74 %' "
     "(qualifiers: {}; units: {})", "kan inte läsa {0} som en rapporterad siffra; skriv den som "
     "källan gör, t.ex. '7 miljoner', 'drygt 3 miljoner', 'knappt 10 miljoner', '6,8 miljoner', "
     "'ca 4 månader', '34,74 %' (ord: {1}; enheter: {2})"),
    ("holds an input of this calibration ({}); give a new folder for the calibrated scenarios",
     "innehåller indata till den här kalibreringen ({0}); ange en ny mapp för de kalibrerade "
     "scenarierna"),
    ("nothing to calibrate: the scenarios declare no uncertain input and the file lists no free "
     "parameters; add a `free:` entry (scenario, path, prior) or an `uncertainty:` to an input of a "
     "scenario", "inget att kalibrera: scenarierna anger inget osäkert indata och filen listar inga "
     "fria parametrar; lägg till en post under `free:` (scenario, sökväg, prior) eller en "
     "`uncertainty:` på ett indata i ett scenario"),
    ("the scenarios draw {}; a calibration needs each input's own declared distribution as its "
     "prior (remove the group, or calibrate without it)", "scenarierna drar {0}; en kalibrering "
     "behöver varje indatas egen angivna fördelning som prior (ta bort gruppen, eller kalibrera "
     "utan den)"),
    ("correlation groups", "korrelationsgrupper"),
    ("emcee needs at least twice as many walkers as free inputs ({} for {})",
     "emcee behöver minst dubbelt så många vandrare som fria indata ({0} för {1})"),
    ("unknown metric '{}' for {}; e.g. cost, share_work, {}, mean_months_to:<exit state>, "
     "participants, revenue:<view>", "okänt mått '{0}' för {1}; t.ex. cost, share_work, {2}, "
     "mean_months_to:<utfall>, participants, revenue:<vy>"),
    ("cannot calibrate {} of {}: {}", "kan inte kalibrera {0} i {1}: {2}"),
    ("{} must be a finite number", "{0} måste vara ett ändligt tal"),
    ("{} ({}) cannot be {}; a target for it must be {}",
     "{0} ({1}) kan inte vara {2}; ett mål för det måste vara {3}"),
    # sweeps, analyses and thresholds
    ("two base scenarios are both named '{}'", "två basscenarier heter båda '{0}'"),
    ("names this sweep file itself; list the scenario files the sweep varies",
     "anger själva svepfilen; lista de scenariofiler som svepet varierar"),
    ("{} is a sweep file, not a scenario; list the scenario files the sweep varies",
     "{0} är en svepfil, inget scenario; lista de scenariofiler som svepet varierar"),
    ("the expected-value path cannot price {}: {}; use method: des (the simulation)",
     "väntevärdesvägen kan inte prissätta {0}: {1}; använd method: des (simuleringen)"),
    ("is not a number in {} (it is {})", "är inget tal i {0} (det är {1})"),
    ("no base scenario called '{}'; the bases are: {}",
     "inget basscenario heter '{0}'; basscenarierna är: {1}"),
    ("not found in {} ({}): {}", "finns inte i {0} ({1}): {2}"),
    # unit costs (model.unit_costs)
    ("component name '{}' is used more than once in this group",
     "delnamnet '{0}' används mer än en gång i den här gruppen"),
    ("a resource needs a payer: the actor that bears the real cost ({})",
     "en resurs behöver en payer: aktören som bär den verkliga kostnaden ({0})"),
    ("a transfer needs a payer ({})", "en transferering behöver en payer ({0})"),
    ("a transfer needs a payee ({})", "en transferering behöver en payee ({0})"),
    ("a transfer moves money between two actors: payer and payee are both '{}'",
     "en transferering flyttar pengar mellan två aktörer: payer och payee är båda '{0}'"),
    ("cannot be read ({})", "kan inte läsas ({0})"),
    ("belongs to another sweep (hash {}, seed {}, part {}), not this one (hash {}, seed {}, part {})",
     "hör till ett annat svep (hash {0}, frö {1}, del {2}), inte det här (hash {3}, frö {4}, del {5})"),
    ("holds {} rows where this part has {}", "innehåller {0} rader där den här delen har {1}"),
    # the notes of a sweep's summary (model.report.analysis_text prints them in its language)
    ("{} cannot be read ({})", "{0} kan inte läsas ({1})"),
    ("{} belongs to another sweep (hash {}, seed {}, part {}), not this one (hash {}, seed {}, "
     "part {})", "{0} hör till ett annat svep (hash {1}, frö {2}, del {3}), inte det här (hash {4}, "
     "frö {5}, del {6})"),
    ("{} holds {} rows where this part has {}", "{0} innehåller {1} rader där den här delen har {2}"),
    ("{} is a share at {}: the other shares there are rescaled proportionally so that they still "
     "sum to 1", "{0} är en andel vid {1}: de andra andelarna där skalas om i proportion så att de "
     "fortfarande summerar till 1"),
    ("another insats sweep{} is writing to this folder",
     "ett annat insats-svep{0} skriver till den här mappen"),
    ("cannot be read as a sweep manifest ({})", "kan inte läsas som en svepbeskrivning ({0})"),
    ("cannot read the path '{}'; write it as a.b.c or a[name].c",
     "kan inte läsa sökvägen '{0}'; skriv den som a.b.c eller a[namn].c"),
    ("empty step in the path '{}'", "tomt steg i sökvägen '{0}'"),
    ("{} has no item named '{}'; names: {}", "{0} har ingen post som heter '{1}'; namn: {2}"),
    ("{} is not a mapping", "{0} är ingen mappning"),
    ("the shares set at {} ({}) sum to {}, above 1", "andelarna vid {0} ({1}) summerar till {2}, över 1"),
    ("{} has no '{}'; it has: {}", "{0} har ingen '{1}'; den har: {2}"),
    ("{} is a value ({}), not a mapping or list", "{0} är ett värde ({1}), ingen mappning eller lista"),
    ("{} is a value, not a mapping or list", "{0} är ett värde, ingen mappning eller lista"),
    ("cannot rescale the other shares at {}: they are all 0",
     "kan inte skala om de andra andelarna vid {0}: de är alla 0"),
    (" (paths in a sweep file are relative to its folder, {})",
     " (sökvägar i en svepfil utgår från dess mapp, {0})"),
    ("{} exists from the working folder: write it as {}",
     "{0} finns sett från arbetsmappen: skriv den som {1}"),
    ("--points sets the number of draws of an lhs, random or psa design, or n of a sobol or morris "
     "design; a {} design has none", "--points anger antalet dragningar i en lhs-, random- eller "
     "psa-design, eller n i en sobol- eller morris-design; en {0}-design har inget sådant"),
    ("no column name for {}: {}", "inget kolumnnamn för {0}: {1}"),
    ("point {}: the expected-value path cannot price it: {}; use method: des",
     "punkt {0}: väntevärdesvägen kan inte prissätta den: {1}; använd method: des"),
    ("point {}: {}", "punkt {0}: {1}"),
    ("the name '{}' cannot be a column name (no ':', not one of {})",
     "namnet '{0}' kan inte vara ett kolumnnamn (inget ':', inte ett av {1})"),
    ("low ({}) must be below high ({})", "low ({0}) måste vara mindre än high ({1})"),
    ("{} not used by a {} design (it uses {})", "{0} används inte av en {1}-design (den använder {2})"),
    ("a {} design needs points: the number of draws", "en {0}-design behöver points: antalet dragningar"),
    ("a {} design needs n: the {}", "en {0}-design behöver n: {1}"),
    ("n must be a power of 2 for Sobol sequences (got {}; try {})",
     "n måste vara en potens av 2 för Sobol-följder (angivet: {0}; prova {1})"),
    ("parameter names must be unique; repeated: {}", "parameternamn måste vara unika; upprepade: {0}"),
    ("{} describe a distribution: add dist ({})", "{0} beskriver en fördelning: lägg till dist ({1})"),
    ("{} with these values has shape parameters that cannot be computed (too large or too small); "
     "give values of a realistic size", "{0} med de här värdena har formparametrar som inte går att "
     "beräkna (för stora eller för små); ange värden av rimlig storlek"),
    ("{} changed since the interrupted run ({} -> {}); start in a new folder",
     "{0} har ändrats sedan den avbrutna körningen ({1} -> {2}); börja i en ny mapp"),
    ("no column {} in the results; columns: {}", "ingen kolumn {0} i resultaten; kolumner: {1}"),
    ("no scenario '{}' in this sweep; scenarios: {}",
     "inget scenario '{0}' i det här svepet; scenarier: {1}"),
    ("{} (this sweep is {})", "{0} (det här svepet är {1})"),
    ("the acceptability curve is for npv or npv:Ny, not {}",
     "acceptanskurvan gäller npv eller npv:Ny, inte {0}"),
    ("{} does not cross {} between {} ({}) and {} ({}); widen the bracket",
     "{0} korsar inte {1} mellan {2} ({3}) och {4} ({5}); vidga intervallet"),
    ("parameter path: {}", "parametersökväg: {0}"),
    ("low ({}) must be below high ({})", "low ({0}) måste vara mindre än high ({1})"),
    ("the expected-value path cannot price this scenario: {}; use --method des",
     "väntevärdesvägen kan inte prissätta det här scenariot: {0}; använd --method des"),
    # commands
    ("exact mode cannot price this scenario: {}; use the simulation (--method des)",
     "exakt läge kan inte prissätta det här scenariot: {0}; använd simuleringen (--method des)"),
    ("the same name as {}: programmes compared together need different names (change `name:` in "
     "one of the files)", "samma namn som {0}: program som jämförs behöver olika namn (ändra "
     "`name:` i en av filerna)"),
    ("cannot reach the Dask scheduler ({})", "når inte Dask-schemaläggaren ({0})"),
    ("cannot reach the Dask scheduler at {} ({})", "når inte Dask-schemaläggaren på {0} ({1})"),
    ("no KPI for {}; {}", "inget KPI för {0}; {1}"),
    ("no KPI for {}; the table covers {}–{}", "inget KPI för {0}; tabellen täcker {1}–{2}"),
    ("the KPI table covers {}–{}", "KPI-tabellen täcker {0}–{1}"),
    ("no KPI for {} to index the components to; the table covers {}–{}",
     "inget KPI för {0} att räkna om delarna till; tabellen täcker {1}–{2}"),
    ("no KPI for {} to index the amounts to; the KPI table covers {}–{}",
     "inget KPI för {0} att räkna om beloppen till; KPI-tabellen täcker {1}–{2}"),
    ("no KPI for {}; the table covers {}–{} (add the year's annual mean from SCB, "
     "Konsumentprisindex (1980=100), fastställda tal)", "inget KPI för {0}; tabellen täcker {1}–{2} "
     "(lägg till årets årsmedelvärde från SCB, Konsumentprisindex (1980=100), fastställda tal)"),
    ("no unit-cost group '{}'{} Groups: {}, or give a path to a .yaml file",
     "ingen enhetskostnadsgrupp '{0}'{1} Grupper: {2}, eller ange en sökväg till en .yaml-fil"),
    ("no unit-cost group '{}'. Groups: {}, or give a path to a .yaml file",
     "ingen enhetskostnadsgrupp '{0}'. Grupper: {1}, eller ange en sökväg till en .yaml-fil"),
    ("this is the KPI table, not a unit-cost group; see kpi_factor() or a group such as {}",
     "det här är KPI-tabellen, ingen enhetskostnadsgrupp; se kpi_factor() eller en grupp som {0}"),
    ("the unit-cost file named here has {} problems, listed below with that file's own lines",
     "enhetskostnadsfilen som nämns här har {0} problem, listade nedan med den filens egna rader"),
    ("the unit-cost file named here has {} problem, listed below with that file's own lines",
     "enhetskostnadsfilen som nämns här har {0} problem, listat nedan med den filens egna rader"),
    # notes before a long run (model.limits.long_run_note; cli._note prints them)
    ("note: {} will take about {} on this machine (about {} simulation events); --reps, a shorter "
     "horizon or more --workers make it shorter, Ctrl-C stops it",
     "obs: {0} tar omkring {1} på den här datorn (omkring {2} simuleringshändelser); --reps, en "
     "kortare horisont eller fler --workers gör den kortare, Ctrl-C avbryter"),
    ("{} seconds", "{0} sekunder"),
    ("{} minutes", "{0} minuter"),
    ("{} hours", "{0} timmar"),
    ("{} days", "{0} dagar"),
    # why the expected-value path does not apply
    ("a loop where participants visit an intervention {} times on average: nearly endless",
     "en slinga där deltagarna i genomsnitt besöker en insats {0} gånger: nästan oändlig"),
    ("capacity of '{}' ({} places) may bind: about {} arrivals would find every place taken",
     "kapaciteten i '{0}' ({1} platser) kan slå i taket: omkring {2} ankomster skulle finna "
     "alla platser upptagna"),
]

# a kind of name in a pattern's slot ("unknown {} '{}'"), in the definite form Swedish puts first
KINDS: dict[str, str] = {"intervention": "insatsen", "destination": "destinationen",
                         "exit state": "utfallet", "distribution": "fördelningen"}

PYDANTIC: list[tuple[str, str]] = [
    # greater_than, greater_than_equal, less_than, less_than_equal, multiple_of
    ("expected greater than {}", "ska vara större än {0}"),
    ("expected greater than or equal to {}", "ska vara större än eller lika med {0}"),
    ("expected less than {}", "ska vara mindre än {0}"),
    ("expected less than or equal to {}", "ska vara mindre än eller lika med {0}"),
    ("expected a multiple of {}", "ska vara en multipel av {0}"),
    # finite_number, float_type, float_parsing, int_type, int_parsing, int_from_float
    ("expected a finite number", "ska vara ett ändligt tal"),
    ("expected a valid number", "ska vara ett tal"),
    ("expected a valid number, unable to parse string as a number",
     "ska vara ett tal; texten går inte att läsa som ett tal"),
    ("expected a valid integer", "ska vara ett heltal"),
    ("expected a valid integer, unable to parse string as an integer",
     "ska vara ett heltal; texten går inte att läsa som ett heltal"),
    ("expected a valid integer, got a number with a fractional part",
     "ska vara ett heltal, inte ett tal med decimaler"),
    ("expected a valid integer, unable to parse string as an integer; the value is empty",
     "ska vara ett heltal; värdet är tomt"),
    ("Unable to parse input string as an integer, exceeded maximum size",
     "talet går inte att läsa som heltal: det är för stort"),
    # string_type, bool_type, bool_parsing, dict_type, list_type
    ("expected a valid string", "ska vara text"),
    ("expected a valid boolean", "ska vara true eller false"),
    ("expected a valid boolean, unable to interpret input", "ska vara true eller false"),
    ("expected a valid dictionary", "ska vara en mappning (nyckel: värde)"),
    ("expected a valid list", "ska vara en lista"),
    ("expected a valid date", "ska vara ett datum"),
    # literal_error, enum
    ("expected '{}'", "ska vara '{0}'"),
    ("expected '{}' or '{}'", "ska vara '{0}' eller '{1}'"),
    # string_too_short, string_too_long, too_short, too_long
    ("String should have at least {} character", "texten ska ha minst {0} tecken"),
    ("String should have at least {} characters", "texten ska ha minst {0} tecken"),
    ("String should have at most {} characters", "texten får ha högst {0} tecken"),
    ("List should have at least {} item after validation, not {}",
     "listan ska ha minst {0} post, inte {1}"),
    ("List should have at least {} items after validation, not {}",
     "listan ska ha minst {0} poster, inte {1}"),
    ("List should have at most {} items after validation, not {}",
     "listan får ha högst {0} poster, inte {1}"),
    ("Dictionary should have at least {} item after validation, not {}",
     "mappningen ska ha minst {0} post, inte {1}"),
    ("Dictionary should have at most {} items after validation, not {}",
     "mappningen får ha högst {0} poster, inte {1}"),
    # string_pattern_mismatch
    ("String should match pattern '{}'", "texten ska följa mönstret '{0}'"),
    # missing, extra_forbidden (in pydantic's words, where a message keeps them)
    ("Field required", "obligatoriskt fält saknas"),
    ("Extra inputs are not permitted", "extra fält är inte tillåtna"),
    ("Assertion failed, {}", "{0}"),
]
