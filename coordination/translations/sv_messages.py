"""Swedish for every English message id, kept as data so `make translations` can rebuild the
catalog after an extract; a test fails when a message has no Swedish here."""

SV = {
    "%(n)s working days ago": "för %(n)s arbetsdagar sedan",
    "%(name)s is active again.": "%(name)s är aktiv igen.",
    "%(name)s is deactivated.": "%(name)s är inaktiverad.",
    "%(name)s was saved.": "%(name)s sparades.",
    "A work group belongs to a business area: choose one.": "En arbetsgrupp hör till ett verksamhetsområde: välj ett.",
    "Activate again": "Aktivera igen",
    "Active": "Aktiv",
    "Active: in use and shown in lists.": "Aktiv: används och visas i listor.",
    "Administration": "Administration",
    "Age (working days)": "Ålder (arbetsdagar)",
    "All %(things)s, active and deactivated": "Alla %(things)s, aktiva och inaktiverade",
    "At least 10 characters.": "Minst 10 tecken.",
    "At least 10 characters. Leave empty to keep the current password.":
        "Minst 10 tecken. Lämna tomt för att behålla nuvarande lösenord.",
    "At most %(max)d characters; you wrote more.": "Högst %(max)d tecken; du skrev fler.",
    "Background jobs": "Bakgrundsjobb",
    "Bad request": "Felaktig begäran",
    "Breadcrumbs": "Brödsmulor",
    "Business area": "Verksamhetsområde",
    "Business areas": "Verksamhetsområden",
    "Cancel": "Avbryt",
    "Case": "Ärende",
    "Cases escalated to the steering group": "Ärenden som lyfts till styrgruppen",
    "Chair": "Ordförande",
    "Choose a business area from the list.": "Välj ett verksamhetsområde i listan.",
    "Choose a committee from the list.": "Välj en nämnd i listan.",
    "Choose a kind from the list.": "Välj en typ i listan.",
    "Choose a kind of group from the list.": "Välj en typ av grupp i listan.",
    "Choose a value from the list.": "Välj ett värde i listan.",
    "Choose an organisation from the list.": "Välj en organisation i listan.",
    "Choose members from the list.": "Välj medlemmar i listan.",
    "Choose one of the roles in the list.": "Välj en av rollerna i listan.",
    "Choose one of the sources in the list.": "Välj en av källorna i listan.",
    "Choose the chair from the list.": "Välj ordförande i listan.",
    "Choose values from the list.": "Välj värden i listan.",
    "City-owned company (bolag)": "Kommunalt bolag",
    "Closed": "Avslutat",
    "Committees": "Nämnder",
    "Contact e-mail address": "Kontaktadress (e-post)",
    "Coordination group": "Samordningsgruppen",
    "Coordination group (level 2)": "Samordningsgrupp (nivå 2)",
    "Coordinator (Stockholm Business Region)": "Samordnare (Stockholm Business Region)",
    "Correct the following": "Rätta följande",
    "Deactivate": "Inaktivera",
    "Deactivated": "Inaktiverad",
    "Deactivated: kept with its history, but not offered in lists.":
        "Inaktiverad: sparas med sin historik men erbjuds inte i listor.",
    "Decided": "Beslutat",
    "Department (förvaltning)": "Förvaltning",
    "Description": "Beskrivning",
    "District administration (stadsdelsförvaltning)": "Stadsdelsförvaltning",
    "E-mail": "E-post",
    "E-mail address": "E-postadress",
    "Edit %(thing)s": "Redigera %(thing)s",
    "Enter a name.": "Ange ett namn.",
    "Enter a password.": "Ange ett lösenord.",
    "Enter a short name.": "Ange en förkortning.",
    "Enter a subject.": "Ange ett ämne.",
    "Enter an e-mail address in the form name@example.se.": "Ange en e-postadress i formen namn@exempel.se.",
    "Enter an e-mail address.": "Ange en e-postadress.",
    "Enter your e-mail address.": "Ange din e-postadress.",
    "Enter your password.": "Ange ditt lösenord.",
    "Error": "Fel",
    "Error code": "Felkod",
    "Escalated": "Lyft",
    "External partner": "Extern samverkanspart",
    "Focus area": "Fokusområde",
    "For officials of the City of Stockholm. Companies and property owners submit their matters through the "
    "public form and need no account.":
        "För tjänstepersoner i Stockholms stad. Företag och fastighetsägare lämnar sina ärenden via det "
        "öppna formuläret och behöver inget konto.",
    "Go back, reload the page and send the form again. Copy your text first if it is long.":
        "Gå tillbaka, ladda om sidan och skicka formuläret igen. Kopiera din text först om den är lång.",
    "Go to the start page": "Till startsidan",
    "Groups": "Grupper",
    "History": "Historik",
    "Hold Ctrl (Cmd on a Mac) to choose several.": "Håll ned Ctrl (Cmd på Mac) för att välja flera.",
    "Host": "Värd",
    "In progress": "Pågår",
    "Internal": "Internt",
    "Job": "Jobb",
    "Kind": "Typ",
    "Kind of group": "Typ av grupp",
    "Language": "Språk",
    "Last error": "Senaste fel",
    "Last run": "Senast körd",
    "Latest open cases": "Senaste öppna ärenden",
    "Level": "Nivå",
    "Log in": "Logga in",
    "Log in to Samordning": "Logga in i Samordning",
    "Log in to continue.": "Logga in för att fortsätta.",
    "Log out": "Logga ut",
    "Main menu": "Huvudmeny",
    "Meeting": "Möte",
    "Members": "Medlemmar",
    "Moved": "Flyttat",
    "My groups": "Mina grupper",
    "My organisation": "Min organisation",
    "My department": "Min förvaltning",
    "Name": "Namn",
    "New": "Nytt",
    "New %(thing)s": "Ny %(thing)s",
    "No job has run yet. Start the job process with: flask --app wsgi scheduler run":
        "Inget jobb har körts ännu. Starta jobbprocessen med: flask --app wsgi scheduler run",
    "No officials registered.": "Inga tjänstepersoner registrerade.",
    "No open cases.": "Inga öppna ärenden.",
    "No user with the e-mail address %(email)s.": "Ingen användare med e-postadressen %(email)s.",
    "None yet": "Inga ännu",
    "Not allowed": "Inte tillåtet",
    "Not found": "Hittades inte",
    "Not logged in": "Inte inloggad",
    "Not set": "Ej angivet",
    "Not triaged": "Ej triagerat",
    "Nothing registered yet.": "Inget registrerat ännu.",
    "Nothing was saved.": "Inget sparades.",
    "Official at a department or company": "Tjänsteperson på förvaltning eller bolag",
    "Officials": "Tjänstepersoner",
    "Officials of this role must belong to an organisation.": "Användare med den här rollen måste höra till en organisation.",
    "Only for work groups.": "Bara för arbetsgrupper.",
    "Only work groups belong to a business area.": "Bara arbetsgrupper hör till ett verksamhetsområde.",
    "Open cases at the steering group's level, newest first": "Öppna ärenden på styrgruppens nivå, nyaste först",
    "Open cases concerning the organisation, newest first": "Öppna ärenden som berör organisationen, nyaste först",
    "Open cases concerning your organisation, newest first": "Öppna ärenden som berör din förvaltning, nyaste först",
    "Open cases that concern %(org)s": "Öppna ärenden som berör %(org)s",
    "Open cases that concern the organisation": "Öppna ärenden som berör organisationen",
    "Organisation": "Organisation",
    "Organisations": "Organisationer",
    "Organisations concerned": "Berörda organisationer",
    "Outreach": "Uppsökande arbete",
    "Overview": "Översikt",
    "Page not found": "Sidan finns inte",
    "Password": "Lösenord",
    "Phone": "Telefon",
    "Received": "Inkommet",
    "Reference": "Diarienummer",
    "Registers": "Register",
    "Responsible committee": "Ansvarig nämnd",
    "Role": "Roll",
    "Runs": "Körningar",
    "Samordning – the coordination model for the city's dedicated business areas. Stockholm Business Region.":
        "Samordning – samordningsmodellen för stadens renodlade verksamhetsområden. Stockholm Business Region.",
    "Save": "Spara",
    "Serving organisation": "Förvaltning som betjänar nämnden",
    "Short name": "Förkortning",
    "Skip to main content": "Hoppa till huvudinnehållet",
    "Someone else changed this first": "Någon annan hann ändra först",
    "Something went wrong": "Något gick fel",
    "Something went wrong on our side. It has been logged; try again later.":
        "Något gick fel hos oss. Felet är loggat; försök igen senare.",
    "Something went wrong.": "Något gick fel.",
    "Start": "Start",
    "Status": "Status",
    "Steering group": "Styrgruppen",
    "Steering group FC/BC Näringsliv": "Styrgruppen FC/BC Näringsliv",
    "Steering group FC/BC Näringsliv (level 3)": "Styrgrupp FC/BC Näringsliv (nivå 3)",
    "Steering group member (FC/BC Näringsliv)": "Ledamot i styrgruppen (FC/BC Näringsliv)",
    "Subject": "Ämne",
    "System administrator": "Systemadministratör",
    "That action is not possible on this page.": "Det går inte att göra så på den här sidan.",
    "The 20 most recently received open cases": "De 20 senast inkomna öppna ärendena",
    "The case was not registered.": "Ärendet registrerades inte.",
    "The chair must be one of the members.": "Ordföranden måste vara en av medlemmarna.",
    "The e-mail address may be at most %(max)d characters.": "E-postadressen får vara högst %(max)d tecken.",
    "The form had expired": "Formuläret hade gått ut",
    "The form had expired. Send it again.": "Formuläret hade gått ut. Skicka det igen.",
    "The input needs correcting": "Uppgifterna behöver rättas",
    "The password may be at most %(max)d characters.": "Lösenordet får vara högst %(max)d tecken.",
    "The password may be at most %(n)s characters long.": "Lösenordet får vara högst %(n)s tecken långt.",
    "The password must be at least %(n)s characters long.": "Lösenordet måste vara minst %(n)s tecken långt.",
    "The queue": "Inkorgen",
    "The request could not be carried out": "Begäran kunde inte genomföras",
    "The request could not be understood. Go back and try again.":
        "Begäran kunde inte tolkas. Gå tillbaka och försök igen.",
    "The time received cannot be in the future.": "Inkommet kan inte ligga i framtiden.",
    "The time received needs a time zone.": "Tidpunkten för inkommet behöver en tidszon.",
    "The user %(email)s is deactivated.": "Användaren %(email)s är inaktiverad.",
    "The user was not saved.": "Användaren sparades inte.",
    "There is already a business area with this name.": "Det finns redan ett verksamhetsområde med det namnet.",
    "There is already a committee with this name.": "Det finns redan en nämnd med det namnet.",
    "There is already a group with this name.": "Det finns redan en grupp med det namnet.",
    "There is already a user with this e-mail address.": "Det finns redan en användare med den e-postadressen.",
    "There is already an organisation with this name.": "Det finns redan en organisation med det namnet.",
    "There is already an organisation with this short name.": "Det finns redan en organisation med den förkortningen.",
    "There is no case %(reference)s.": "Det finns inget ärende %(reference)s.",
    "There is no page at this address.": "Det finns ingen sida på den här adressen.",
    "Too large": "För stort",
    "Too many requests": "För många förfrågningar",
    "Triaged": "Triagerat",
    "Updated": "Uppdaterat",
    "Used in lists, e.g. TK for trafikkontoret.": "Används i listor, t.ex. TK för trafikkontoret.",
    "Users": "Användare",
    "Wait a moment and try again.": "Vänta en stund och försök igen.",
    "Web form": "Webbformulär",
    "What you sent is larger than allowed.": "Det du skickade är större än tillåtet.",
    "When each job last ran": "När varje jobb senast kördes",
    "Work group": "Arbetsgrupp",
    "Work group (level 1)": "Arbetsgrupp (nivå 1)",
    "Wrong e-mail address or password.": "Fel e-postadress eller lösenord.",
    "You are logged out.": "Du är utloggad.",
    "You are not a member of any group.": "Du är inte medlem i någon grupp.",
    "You do not have access to this page.": "Du har inte behörighet till den här sidan.",
    "business area": "verksamhetsområde",
    "committee": "nämnd",
    "group": "grupp",
    "open at level": "öppna på nivå",
    "organisation": "organisation",
    "rule": "regel",
    "the system": "systemet",
    "untriaged cases": "otriagerade ärenden",
    "untriaged for more than 2 working days": "otriagerade i mer än 2 arbetsdagar",
    "user": "användare",
    "– none –": "– ingen –",
}

# --- intake, queue, triage, case page (issue 4) ---
SV.update({
    "%(a)s and %(b)s are linked.": "%(a)s och %(b)s är länkade.",
    "%(name)s is empty.": "%(name)s är tom.",
    "%(name)s is larger than %(mb)s MB.": "%(name)s är större än %(mb)s MB.",
    "%(name)s is not a PDF, JPG, PNG or DOCX file.": "%(name)s är inte en PDF-, JPG-, PNG- eller DOCX-fil.",
    "%(num)d case": ("%(num)d ärende", "%(num)d ärenden"),
    "%(old)s was merged into %(new)s.": "%(old)s har slagits ihop med %(new)s.",
    "10 digits, e.g. 556677-8899.": "10 siffror, t.ex. 556677-8899.",
    "A case cannot be linked to itself.": "Ett ärende kan inte länkas till sig självt.",
    "A case cannot be merged with itself.": "Ett ärende kan inte slås ihop med sig självt.",
    "About the case": "Om ärendet",
    "Address or place": "Adress eller plats",
    "All": "Alla",
    "All, also closed": "Alla, även avslutade",
    "Another case merged in": "Ett annat ärende har slagits ihop hit",
    "At most %(n)s files can be attached.": "Högst %(n)s filer kan bifogas.",
    "Attachments": "Bilagor",
    "Attachments (optional)": "Bilagor (valfritt)",
    "Being prepared for a decision by a committee": "Bereds för beslut i nämnd",
    "Came in by": "Inkom via",
    "Case %(reference)s was registered.": "Ärende %(reference)s registrerades.",
    "Case number": "Ärendenummer",
    "Case reference": "Diarienummer",
    "Cases": "Ärenden",
    "Cases matching the filters": "Ärenden som matchar filtren",
    "Category": "Kategori",
    "Change triage": "Ändra triage",
    "Check the organisation number: it has 10 digits, written NNNNNN-NNNN or without the dash.":
        "Kontrollera organisationsnumret: det har 10 siffror och skrivs NNNNNN-NNNN eller utan bindestreck.",
    "Check the organisation number: the last digit does not match the others.":
        "Kontrollera organisationsnumret: sista siffran stämmer inte med de andra.",
    "Choose": "Välj",
    "Choose a business area from the list, or \u201cDon't know\u201d.":
        "Välj ett verksamhetsområde i listan, eller \u201dVet ej\u201d.",
    "Choose a business area.": "Välj ett verksamhetsområde.",
    "Choose a category from the list.": "Välj en kategori i listan.",
    "Choose a focus area from the list.": "Välj ett fokusområde i listan.",
    "Choose a level from the list.": "Välj en nivå i listan.",
    "Choose a level: work group, coordination group or steering group.":
        "Välj en nivå: arbetsgrupp, samordningsgrupp eller styrgrupp.",
    "Choose a priority from the list.": "Välj en prioritet i listan.",
    "Choose a sort order from the list.": "Välj en sortering i listan.",
    "Choose a source from the list.": "Välj en källa i listan.",
    "Choose a status from the list.": "Välj en status i listan.",
    "Choose how the case came in.": "Välj hur ärendet kom in.",
    "Choose one of the four focus areas.": "Välj ett av de fyra fokusområdena.",
    "Choose organisations from the list.": "Välj organisationer i listan.",
    "Clear filters": "Rensa filter",
    "Company": "Företag",
    "Company and contact": "Företag och kontakt",
    "Company or property owner": "Företag eller fastighetsägare",
    "Confirm that you have read how the city handles personal data.":
        "Bekräfta att du har läst hur staden hanterar personuppgifter.",
    "Contact person": "Kontaktperson",
    "Date and time it came in; deadlines count from here.": "Datum och tid då det kom in; tidsfrister räknas härifrån.",
    "Describe the matter": "Beskriv ärendet",
    "Describe the matter.": "Beskriv ärendet.",
    "Detailed plans and building permits": "Detaljplaner och bygglov",
    "Don't know": "Vet ej",
    "E.g. SBR 2026/0042.": "T.ex. SBR 2026/0042.",
    "Enter a case reference.": "Ange ett diarienummer.",
    "Enter a whole number, digits only.": "Ange ett heltal, bara siffror.",
    "Enter an e-mail address so that we can reply.": "Ange en e-postadress så att vi kan svara.",
    "Enter the cost in whole kronor, between 0 and 1 000 000 000 000.":
        "Ange kostnaden i hela kronor, mellan 0 och 1 000 000 000 000.",
    "Enter the date as YYYY-MM-DD, e.g. 2026-11-23.": "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-11-23.",
    "Enter the name of the company or property owner.": "Ange namnet på företaget eller fastighetsägaren.",
    "Enter the name of the contact person.": "Ange kontaktpersonens namn.",
    "Enter when the case came in.": "Ange när ärendet kom in.",
    "Estimated cost": "Uppskattad kostnad",
    "Estimated cost (SEK)": "Uppskattad kostnad (kr)",
    "Filter cases": "Filtrera ärenden",
    "Flags": "Markeringar",
    "Follow your matter": "Följ ditt ärende",
    "For companies and property owners in the city's business areas. Stockholm Business Region's coordinator "
    "receives your matter, passes it to the departments concerned and keeps you informed. You get a receipt with "
    "a case number and a link where you can follow the matter.":
        "För företag och fastighetsägare i stadens verksamhetsområden. Stockholm Business Regions samordnare tar "
        "emot ärendet, lämnar det vidare till berörda förvaltningar och håller dig informerad. Du får ett kvitto "
        "med ärendenummer och en länk där du kan följa ärendet.",
    "For matters that came by phone, e-mail, a meeting or outreach. Deadlines count from when the matter came in.":
        "För ärenden som kommit via telefon, e-post, möte eller uppsökande arbete. Tidsfrister räknas från när "
        "ärendet kom in.",
    "For your security, files are not kept when the form has to be corrected: choose your attachments again "
    "before you send.":
        "Av säkerhetsskäl sparas inte filer när formuläret behöver rättas: välj dina bilagor igen innan du skickar.",
    "Give a reason.": "Ange ett skäl.",
    "High": "Hög",
    "How it came in": "Hur det kom in",
    "I have read how the city handles the personal data in this form.":
        "Jag har läst hur staden hanterar personuppgifterna i formuläret.",
    "If given, the company gets a receipt with the status link.":
        "Om den anges får företaget ett kvitto med statuslänken.",
    "In a few words, e.g. \u201cSnow clearing on Ågesta broväg\u201d. At most 200 characters.":
        "Med några ord, t.ex. \u201dSnöröjning på Ågesta broväg\u201d. Högst 200 tecken.",
    "Internal comment": "Intern kommentar",
    "Internal comments": "Interna kommentarer",
    "Land and premises": "Mark och lokaler",
    "Leave this field empty": "Lämna det här fältet tomt",
    "Leave this field empty.": "Lämna det här fältet tomt.",
    "Link": "Länka",
    "Link %(reference)s": "Länka %(reference)s",
    "Link or merge with another case": "Länka eller slå ihop med ett annat ärende",
    "Linked": "Länkat",
    "Linked and merged cases": "Länkade och sammanslagna ärenden",
    "Low": "Låg",
    "Maintenance, cleaning, snow clearing": "Drift, renhållning, snöröjning",
    "Major significance": "Större dignitet",
    "Major significance (större dignitet)": "Större dignitet",
    "Merge into an open case.": "Slå ihop med ett öppet ärende.",
    "Merge into case": "Slå ihop med ärende",
    "Merge into that case": "Slå ihop med det ärendet",
    "Merged in": "Sammanslaget hit",
    "Merged into another case": "Sammanslaget med ett annat ärende",
    "Needs a decision at department-head level": "Kräver beslut på förvaltningschefsnivå",
    "Needs a political decision": "Kräver politiskt beslut",
    "Newest first": "Nyaste först",
    "Next page": "Nästa sida",
    "No attachments.": "Inga bilagor.",
    "No cases match the filters.": "Inga ärenden matchar filtren.",
    "No comments.": "Inga kommentarer.",
    "No similar cases found.": "Inga liknande ärenden hittades.",
    "None": "Inga",
    "None.": "Inga.",
    "Normal": "Normal",
    "Not given": "Ej angivet",
    "Not known": "Okänd",
    "Not known yet": "Inte känt ännu",
    "Oldest first": "Äldst först",
    "One of the cases is already merged into another.": "Ett av ärendena är redan sammanslaget med ett annat.",
    "Only officials see comments; never the company.": "Bara tjänstepersoner ser kommentarer, aldrig företaget.",
    "Only overdue": "Bara försenade",
    "Open": "Öppna",
    "Open and recent cases in the same business area with similar words. Link or merge instead of handling the "
    "same matter twice.":
        "Öppna och nyligen avslutade ärenden i samma verksamhetsområde med liknande ord. Länka eller slå ihop i "
        "stället för att hantera samma fråga två gånger.",
    "Organisation number": "Organisationsnummer",
    "Other": "Övrigt",
    "Overdue": "Försenat",
    "PDF, JPG, PNG or DOCX, at most 10 MB each and 5 files.": "PDF, JPG, PNG eller DOCX, högst 10 MB styck och 5 filer.",
    "Page": "Sida",
    "Pages": "Sidor",
    "Permits and the exercise of authority": "Tillstånd och myndighetsutövning",
    "Personal data": "Personuppgifter",
    "Phone (optional)": "Telefon (valfritt)",
    "Prepared for committee": "Bereds till nämnd",
    "Previous page": "Föregående sida",
    "Priority": "Prioritet",
    "Questions? Write to Stockholm Business Region and give your case number.":
        "Frågor? Skriv till Stockholm Business Region och ange ditt ärendenummer.",
    "Raise a matter with the city": "Lämna ett ärende till staden",
    "Reason": "Skäl",
    "Receipt": "Kvitto",
    "Received from": "Inkommet från",
    "Received to": "Inkommet till",
    "Received – waiting for the coordinator to review it": "Mottaget – väntar på att samordnaren går igenom det",
    "Reference, newest first": "Diarienummer, nyaste först",
    "Reference, subject, description or company.": "Diarienummer, ämne, beskrivning eller företag.",
    "Register": "Registrera",
    "Register a case": "Registrera ärende",
    "Safety and security (trygghet)": "Trygghet och säkerhet",
    "Save comment": "Spara kommentar",
    "Save triage": "Spara triage",
    "Search": "Sök",
    "Send": "Skicka",
    "Show": "Visa",
    "Similar cases": "Liknande ärenden",
    "Skills supply": "Kompetensförsörjning",
    "Someone else changed the case while you were editing it. Your changes were not saved; check the current "
    "values below and save again.":
        "Någon annan ändrade ärendet medan du redigerade. Dina ändringar sparades inte; kontrollera de aktuella "
        "värdena nedan och spara igen.",
    "Someone else changed the case while you were editing it. Your changes were not saved; the form shows the "
    "current values.":
        "Någon annan ändrade ärendet medan du redigerade. Dina ändringar sparades inte; formuläret visar de "
        "aktuella värdena.",
    "Sort by": "Sortera efter",
    "Starting level": "Startnivå",
    "Status of %(reference)s": "Status för %(reference)s",
    "Thank you, we have received your matter": "Tack, vi har tagit emot ditt ärende",
    "The City of Stockholm (Stockholm Business Region) processes the names, e-mail addresses and phone numbers "
    "in this form to handle your matter, under the city's task of public interest. They are shown only to the "
    "officials handling the matter and kept as long as the matter requires under the archive rules. You may ask "
    "for a copy of what the city holds about you, or for corrections.":
        "Stockholms stad (Stockholm Business Region) behandlar namn, e-postadresser och telefonnummer i "
        "formuläret för att handlägga ärendet, som en uppgift av allmänt intresse. De visas bara för de "
        "tjänstepersoner som handlägger ärendet och sparas så länge ärendet kräver enligt arkivreglerna. Du kan "
        "begära ett utdrag över vad staden har om dig, eller rättelse.",
    "The case is closed and cannot be triaged.": "Ärendet är avslutat och kan inte triageras.",
    "The cases were already linked.": "Ärendena var redan länkade.",
    "The cases were not merged.": "Ärendena slogs inte ihop.",
    "The comment was not saved.": "Kommentaren sparades inte.",
    "The comment was saved.": "Kommentaren sparades.",
    "The coordinator reviews new matters within two working days. A receipt has been sent to the e-mail address "
    "you gave.":
        "Samordnaren går igenom nya ärenden inom två arbetsdagar. Ett kvitto har skickats till e-postadressen du "
        "angav.",
    "The matter": "Ärendet",
    "The triage of %(reference)s was saved.": "Triage av %(reference)s sparades.",
    "The triage was not saved.": "Triage sparades inte.",
    "There is no case with that reference.": "Det finns inget ärende med det diarienumret.",
    "This case is closed and its reference leads to the other case.":
        "Det här ärendet avslutas och dess diarienummer leder till det andra ärendet.",
    "This link shows where your matter is. Keep it: it is personal to your matter and needs no login.":
        "Länken visar var ditt ärende är. Spara den: den är personlig för ditt ärende och kräver ingen inloggning.",
    "Traffic and access": "Trafik och framkomlighet",
    "Triage": "Triage",
    "Urgent": "Brådskande",
    "What has happened": "Vad som har hänt",
    "What has happened, where, and what you need from the city. At most 5 000 characters.":
        "Vad som har hänt, var, och vad du behöver från staden. Högst 5 000 tecken.",
    "Where the matter is now": "Var ärendet är nu",
    "Where the matter is, e.g. a street address or a property.": "Var frågan gäller, t.ex. en gatuadress eller en fastighet.",
    "Who is raising the matter": "Vem lämnar ärendet",
    "Who raised it": "Vem som tog upp det",
    "Whole kronor, no spaces. Leave empty if not known.": "Hela kronor, utan mellanslag. Lämna tomt om den inte är känd.",
    "With the coordination group": "Hos samordningsgruppen",
    "With the steering group FC/BC Näringsliv": "Hos styrgruppen FC/BC Näringsliv",
    "With the work group for the area": "Hos arbetsgruppen för området",
    "Write a comment.": "Skriv en kommentar.",
    "YYYY-MM-DD": "ÅÅÅÅ-MM-DD",
    "not triaged within 2 working days (due %(day)s).": "inte triagerat inom 2 arbetsdagar (senast %(day)s).",
    "page %(page)d of %(pages)d": "sida %(page)d av %(pages)d",
})
SV.update({
    "Outbox": "Utkorg",
    "e-mails": "e-post",
    "Every e-mail the system sends waits here until the job process has handed it to the mail server. Mails that "
    "fail are tried again with growing pauses; after the last try they stay here as failed.":
        "Varje e-postmeddelande som systemet skickar väntar här tills jobbprocessen har lämnat det till "
        "e-postservern. Meddelanden som misslyckas provas igen med allt längre pauser; efter sista försöket ligger "
        "de kvar här som misslyckade.",
    "waiting": "väntar",
    "failed": "misslyckade",
    "sent": "skickade",
    "Mails with problems": "Meddelanden med problem",
    "Mails that could not be sent on the first try": "Meddelanden som inte kunde skickas vid första försöket",
    "Recipient": "Mottagare",
    "Tries": "Försök",
    "Next try": "Nästa försök",
    "Action": "Åtgärd",
    "gave up": "gav upp",
    "Send again": "Skicka igen",
    "No problems.": "Inga problem.",
    "Latest mails": "Senaste meddelanden",
    "The 50 latest mails": "De 50 senaste meddelandena",
    "Queued": "Köat",
    "No mails yet.": "Inga meddelanden ännu.",
    "The mail will be sent again within a minute.": "Meddelandet skickas igen inom en minut.",
    "Only mails that failed can be sent again.": "Bara misslyckade meddelanden kan skickas igen.",
    "Contact details of the company are shown to the coordinator, who keeps the contact with companies.":
        "Företagets kontaktuppgifter visas för samordnaren, som håller kontakten med företagen.",
    "Log in (officials)": "Logga in (tjänstepersoner)",
    "Open the queue": "Öppna inkorgen",
    "See all in the case list": "Se alla i ärendelistan",
})

# --- routing (issue 5) ---
SV.update({
    "%(field)s must be between 0 and %(max)s.": "%(field)s måste vara mellan 0 och %(max)s.",
    "%(field)s needs a whole number.": "%(field)s behöver ett heltal.",
    "%(name)s asks to move the case to %(level)s": "%(name)s begär att ärendet flyttas till %(level)s",
    "A closed case cannot be moved.": "Ett avslutat ärende kan inte flyttas.",
    "A rule escalates to level 2 or 3; rules never move a case down.":
        "En regel lyfter till nivå 2 eller 3; regler flyttar aldrig ett ärende nedåt.",
    "A rule needs at least one action.": "En regel behöver minst en åtgärd.",
    "A rule needs at least one condition.": "En regel behöver minst ett villkor.",
    "Accept and move": "Godta och flytta",
    "Action %(n)d": "Åtgärd %(n)d",
    "Action %(n)d: to level": "Åtgärd %(n)d: till nivå",
    "Action %(n)d: whom to notify": "Åtgärd %(n)d: vem som meddelas",
    "Actions": "Åtgärder",
    "Agendas at this level without a decision": "Dagordningar på nivån utan beslut",
    "All conditions must hold": "Alla villkor måste vara uppfyllda",
    "All notifications are marked as read.": "Alla notiser är markerade som lästa.",
    "All rules, in the order they run": "Alla regler, i den ordning de körs",
    "An action item overdue by at least (working days)": "En åtgärd försenad minst (arbetsdagar)",
    "Another rule has this code.": "En annan regel har den koden.",
    "Answer": "Svar",
    "Any one condition is enough": "Det räcker att ett villkor är uppfyllt",
    "Applies to cases at": "Gäller ärenden på",
    "Ask the coordinator to escalate the case": "Be samordnaren lyfta ärendet",
    "Ask to move it to": "Begär flytt till",
    "By": "Av",
    "Change history": "Ändringshistorik",
    "Changed": "Ändrat",
    "Choose a comparison from the list.": "Välj en jämförelse i listan.",
    "Choose a comparison that fits %(field)s.": "Välj en jämförelse som passar %(field)s.",
    "Choose a level above the case's current level.": "Välj en nivå över ärendets nuvarande nivå.",
    "Choose an action from the list.": "Välj en åtgärd i listan.",
    "Choose levels from the list.": "Välj nivåer i listan.",
    "Choose one or more values of %(field)s from the list.": "Välj ett eller flera värden för %(field)s i listan.",
    "Choose what the condition tests from the list.": "Välj vad villkoret prövar i listan.",
    "Choose what the condition tests, or empty the value.": "Välj vad villkoret prövar, eller töm värdet.",
    "Choose when the rule runs: on change, in the sweep, or both.":
        "Välj när regeln körs: vid ändring, i genomsökningen eller båda.",
    "Choose whether all or any of the conditions must hold.": "Välj om alla eller något av villkoren ska gälla.",
    "Choose whom to notify from the list.": "Välj vem som ska meddelas i listan.",
    "Choose yes or no for %(field)s.": "Välj ja eller nej för %(field)s.",
    "Code": "Kod",
    "Comparison": "Jämförelse",
    "Condition %(n)d: comparison": "Villkor %(n)d: jämförelse",
    "Condition %(n)d: tests": "Villkor %(n)d: prövar",
    "Condition %(n)d: value": "Villkor %(n)d: värde",
    "Conditions": "Villkor",
    "Decline": "Avslå",
    "Disabled": "Avstängd",
    "Empty rows are ignored": "Tomma rader räknas inte",
    "Enabled": "Påslagen",
    "Escalate to level": "Lyft till nivå",
    "Every saved version of the rule": "Varje sparad version av regeln",
    "Flag as overdue": "Flagga som försenat",
    "Last 12 months: %(num)d case would have been acted on, from the cases' recorded history.": (
        "Senaste 12 månaderna: %(num)d ärende hade berörts, enligt ärendenas historik.",
        "Senaste 12 månaderna: %(num)d ärenden hade berörts, enligt ärendenas historik."),
    "Mark all as read": "Markera alla som lästa",
    "Mark as prepared for committee": "Markera för beredning till nämnd",
    "Move": "Flytta",
    "Move the case to another level": "Flytta ärendet till en annan nivå",
    "Move to": "Flytta till",
    "Moved by rule %(code)s": "Flyttat av regel %(code)s",
    "Name (English)": "Namn (engelska)",
    "Name (Swedish)": "Namn (svenska)",
    "New rule": "Ny regel",
    "No notifications.": "Inga notiser.",
    "None chosen: every level. Hold Ctrl (Cmd on a Mac) to choose several.":
        "Inget val: alla nivåer. Håll ned Ctrl (Cmd på Mac) för att välja flera.",
    "Notifications": "Notiser",
    "Notify": "Meddela",
    "Now: %(num)d open case meets the rule.": ("Nu: %(num)d öppet ärende uppfyller regeln.",
                                               "Nu: %(num)d öppna ärenden uppfyller regeln."),
    "Number of organisations concerned": "Antal berörda organisationer",
    "Only officials of an organisation concerned can ask for escalation.":
        "Bara tjänstepersoner på en berörd organisation kan begära lyft.",
    "Order": "Ordning",
    "Placed here by %(name)s": "Placerat här av %(name)s",
    "Preview: which cases would it move?": "Förhandsgranska: vilka ärenden skulle den flytta?",
    "Reason shown": "Skäl som visas",
    "Reason shown (English)": "Skäl som visas (engelska)",
    "Reason shown (Swedish)": "Skäl som visas (svenska)",
    "Requests for escalation": "Begäran om lyft",
    "Required when you decline.": "Krävs när du avslår.",
    "Required. Shown in the case's history.": "Krävs. Visas i ärendets historik.",
    "Routing rules": "Regler för lyft",
    "Rule": "Regel",
    "Rule %(code)s was saved (version %(version)s).": "Regel %(code)s sparades (version %(version)s).",
    "Rules run in this order, lowest first.": "Reglerna körs i denna ordning, lägst först.",
    "Runs in the regular sweep (time-based conditions)": "Körs i den regelbundna genomsökningen (tidsvillkor)",
    "Runs when a case changes (triage, edits)": "Körs när ett ärende ändras (triage, redigering)",
    "Save rule": "Spara regel",
    "Saved": "Sparad",
    "Say why the request is declined.": "Ange varför begäran avslås.",
    "Send the request": "Skicka begäran",
    "Short, e.g. R8.": "Kort, t.ex. R8.",
    "Tests": "Prövar",
    "The case is already at that level.": "Ärendet är redan på den nivån.",
    "The case is in the coordinator's queue, waiting to be triaged.":
        "Ärendet ligger i samordnarens inkorg och väntar på triage.",
    "The case was moved.": "Ärendet flyttades.",
    "The case was not moved.": "Ärendet flyttades inte.",
    "The coordinator decides; your reason is kept in the case's history.":
        "Samordnaren beslutar; ditt skäl sparas i ärendets historik.",
    "The request has already been answered.": "Begäran är redan besvarad.",
    "The request was answered.": "Begäran besvarades.",
    "The request was not answered.": "Begäran besvarades inte.",
    "The request was not sent.": "Begäran skickades inte.",
    "The rule": "Regeln",
    "The rule was not saved.": "Regeln sparades inte.",
    "The rules move cases up the levels of the coordination model. They run in the order shown: when a case "
    "changes (triage, edits) and in the regular sweep for conditions about time. Every move is recorded in the "
    "case's history with the rule and the facts that made it fire. Rules never move a case down.":
        "Reglerna lyfter ärenden uppåt i samordningsmodellens nivåer. De körs i den ordning som visas: när ett "
        "ärende ändras (triage, redigering) och i den regelbundna genomsökningen för villkor om tid. Varje flytt "
        "registreras i ärendets historik med regeln och de fakta som fick den att slå till. Regler flyttar aldrig "
        "ett ärende nedåt.",
    "There is already a request for this case waiting for the coordinator.":
        "Det finns redan en begäran för ärendet som väntar på samordnaren.",
    "This field is required.": "Fältet är obligatoriskt.",
    "To level": "Till nivå",
    "Value": "Värde",
    "Values: whole numbers for counts, amounts and working days; ja or nej for yes/no; codes separated by commas "
    "for lists (status: new, triaged, in_progress, decided, closed; priority: low, normal, high, urgent; business "
    "areas and focus areas by number).":
        "Värden: heltal för antal, belopp och arbetsdagar; ja eller nej för ja/nej-frågor; koder åtskilda av "
        "kommatecken för listor (status: new, triaged, in_progress, decided, closed; prioritet: low, normal, high, "
        "urgent; verksamhetsområden och fokusområden med nummer).",
    "Version": "Version",
    "What happens to a case the rule fires on; empty rows are ignored":
        "Vad som händer med ett ärende när regeln slår till; tomma rader räknas inte",
    "What the rule would do (not saved yet)": "Vad regeln skulle göra (inte sparad ännu)",
    "Whom": "Vem",
    "Why": "Varför",
    "Why is the case here?": "Varför är ärendet här?",
    "Working days at the current level": "Arbetsdagar på nuvarande nivå",
    "Working days since received": "Arbetsdagar sedan inkommet",
    "Working days without recorded progress": "Arbetsdagar utan registrerad framdrift",
    "Your request was sent to the coordinator.": "Din begäran skickades till samordnaren.",
    "at least": "minst",
    "at most": "högst",
    "in the sweep": "i genomsökningen",
    "is": "är",
    "is one of": "är något av",
    "more than": "mer än",
    "on change": "vid ändring",
    "since %(date)s.": "sedan %(date)s.",
    "the coordinator": "samordnaren",
    "the group at the case's level": "gruppen på ärendets nivå",
    "the organisations concerned": "de berörda organisationerna",
    "unread": "olästa",
    "– no action –": "– ingen åtgärd –",
    "– no condition –": "– inget villkor –",
})

# --- meetings, agendas, minutes (issue 6) ---
SV.update({
    "A correction was started as a new version of the minutes.": "En rättelse påbörjades som en ny version av protokollet.",
    "Action items (when delegating)": "Åtgärder (när ärendet delegeras)",
    "Add": "Lägg till",
    "Add an item": "Lägg till en punkt",
    "Address": "Adress",
    "Agenda": "Dagordning",
    "Agenda as PDF (for printing)": "Dagordningen som PDF (för utskrift)",
    "Agenda lead time (working days)": "Framförhållning för dagordningen (arbetsdagar)",
    "An edited text is kept when the agenda is regenerated.": "En redigerad text behålls när dagordningen genereras om.",
    "Answer to the company": "Svar till företaget",
    "Approve the minutes": "Justera protokollet",
    "Approved minutes are read-only; make a correction to change them.":
        "Ett justerat protokoll kan inte ändras; gör en rättelse för att ändra det.",
    "Approving applies every outcome to its case and makes the minutes read-only.":
        "När protokollet justeras förs varje beslut över till sitt ärende och protokollet låses.",
    "Calendar feeds": "Kalenderprenumerationer",
    "Cancel the meeting": "Ställ in mötet",
    "Cancelled": "Inställt",
    "Choose a group from the list.": "Välj en grupp i listan.",
    "Choose a section from the list.": "Välj en rubrik i listan.",
    "Choose an outcome from the list.": "Välj ett utfall i listan.",
    "Choose the organisation of each action item from the list.": "Välj organisation för varje åtgärd i listan.",
    "Choose whether the case goes to the steering group or is prepared for committee.":
        "Välj om ärendet går till styrgruppen eller bereds till nämnd.",
    "Close, with an answer to the company": "Avsluta, med svar till företaget",
    "Decision": "Beslut",
    "Delegate to the work group, with action items": "Delegera till arbetsgruppen, med åtgärder",
    "Delegating needs at least one action item: organisation, what and due date.":
        "Att delegera kräver minst en åtgärd: organisation, vad och datum.",
    "Draft": "Utkast",
    "Draft, generated %(date)s": "Utkast, genererat %(date)s",
    "Due": "Senast",
    "E.g. FREQ=WEEKLY;INTERVAL=4;BYDAY=WE for every fourth Wednesday. Leave empty to list dates instead.":
        "T.ex. FREQ=WEEKLY;INTERVAL=4;BYDAY=WE för var fjärde onsdag. Lämna tomt för att ange datum i stället.",
    "Edit agenda item": "Redigera punkt på dagordningen",
    "Edit text": "Redigera text",
    "Ends": "Slutar",
    "Enter a title.": "Ange en rubrik.",
    "Enter the lead time in working days.": "Ange framförhållningen i arbetsdagar.",
    "Enter when the meeting ends.": "Ange när mötet slutar.",
    "Enter when the meeting starts.": "Ange när mötet börjar.",
    "Enter when the meetings end, e.g. 11:00.": "Ange när mötena slutar, t.ex. 11:00.",
    "Enter when the meetings start, e.g. 09:00.": "Ange när mötena börjar, t.ex. 09:00.",
    "Escalate": "Lyft",
    "Escalate to": "Lyft till",
    "First meeting": "Första mötet",
    "Follow-up of action items": "Uppföljning av åtgärder",
    "Generate agenda": "Generera dagordning",
    "Generate the agenda before publishing it.": "Generera dagordningen innan den publiceras.",
    "Generate the agenda first.": "Generera dagordningen först.",
    "Give a recurrence or a list of dates.": "Ange en upprepning eller en lista med datum.",
    "Give each action item a due date as YYYY-MM-DD.": "Ange ett datum för varje åtgärd som ÅÅÅÅ-MM-DD.",
    "Give the date of the first meeting.": "Ange datum för första mötet.",
    "Group": "Grupp",
    "Information": "Information",
    "Make my calendar addresses": "Skapa mina kalenderadresser",
    "Make new calendar addresses": "Skapa nya kalenderadresser",
    "Matters for decision": "Beslutsärenden",
    "Meeting series": "Mötesserier",
    "Meetings": "Möten",
    "Meetings from the last two months and ahead": "Möten från de senaste två månaderna och framåt",
    "Minutes": "Protokoll",
    "Minutes as PDF": "Protokollet som PDF",
    "Move down": "Flytta ned",
    "Move or cancel the meeting": "Flytta eller ställ in mötet",
    "Move the meeting": "Flytta mötet",
    "Move up": "Flytta upp",
    "No decision recorded.": "Inget beslut registrerat.",
    "No items.": "Inga punkter.",
    "No meeting series you can follow.": "Inga mötesserier som du kan följa.",
    "No meetings to show.": "Inga möten att visa.",
    "No minutes yet.": "Inget protokoll ännu.",
    "Not generated yet": "Inte genererad ännu",
    "Noted (information)": "Noterat (information)",
    "One date per line, YYYY-MM-DD.": "Ett datum per rad, ÅÅÅÅ-MM-DD.",
    "Only approved minutes can be corrected; edit the draft instead.":
        "Bara justerade protokoll kan rättas; redigera utkastet i stället.",
    "Open the case": "Öppna ärendet",
    "Opening": "Mötets öppnande",
    "Or: dates": "Eller: datum",
    "Other business": "Övriga frågor",
    "Outcome": "Utfall",
    "Place": "Plats",
    "Planned": "Planerat",
    "Postpone": "Bordlägg",
    "Preparation for committee": "Beredning till nämnd",
    "Publish agenda": "Publicera dagordning",
    "Publish the agenda before writing the minutes.": "Publicera dagordningen innan protokollet skrivs.",
    "Published": "Publicerad",
    "Published %(date)s": "Publicerad %(date)s",
    "Reason for the correction": "Skäl för rättelsen",
    "Recurrence": "Upprepning",
    "Refer to the committee (nämnd)": "Hänskjut till nämnd",
    "Regenerate agenda": "Generera om dagordningen",
    "Remove": "Ta bort",
    "Restore": "Återställ",
    "Save the decision": "Spara beslutet",
    "Say what each action item is.": "Ange vad varje åtgärd är.",
    "Section": "Avsnitt",
    "Series": "Serie",
    "Shown on the company's status link.": "Visas på företagets statuslänk.",
    "Start a correction": "Påbörja en rättelse",
    "Start the minutes": "Påbörja protokollet",
    "Starts": "Börjar",
    "Subscribe to a meeting series in Outlook or another calendar program with the address of the series. The "
    "addresses are personal: do not share them. Times are in Stockholm time.":
        "Prenumerera på en mötesserie i Outlook eller ett annat kalenderprogram med seriens adress. Adresserna är "
        "personliga: dela dem inte. Tiderna är i svensk tid.",
    "Text": "Text",
    "The agenda is already published.": "Dagordningen är redan publicerad.",
    "The agenda is generated this many working days before the meeting.":
        "Dagordningen genereras så här många arbetsdagar före mötet.",
    "The agenda is not published yet.": "Dagordningen är inte publicerad ännu.",
    "The agenda is published and can no longer be changed.": "Dagordningen är publicerad och kan inte längre ändras.",
    "The agenda is published and the members are notified.": "Dagordningen är publicerad och ledamöterna har meddelats.",
    "The agenda is published and was not changed.": "Dagordningen är publicerad och ändrades inte.",
    "The agenda was generated: %(added)s new, %(stale)s no longer current, %(updated)s updated.":
        "Dagordningen genererades: %(added)s nya, %(stale)s inaktuella, %(updated)s uppdaterade.",
    "The correction was not started.": "Rättelsen påbörjades inte.",
    "The decision was not saved.": "Beslutet sparades inte.",
    "The decision was saved.": "Beslutet sparades.",
    "The item was added.": "Punkten lades till.",
    "The item was not added.": "Punkten lades inte till.",
    "The item was not removed.": "Punkten togs inte bort.",
    "The item was not saved.": "Punkten sparades inte.",
    "The item was saved.": "Punkten sparades.",
    "The lead time is between 0 and 60 working days.": "Framförhållningen är mellan 0 och 60 arbetsdagar.",
    "The meeting is cancelled; its matters go to the next meeting.":
        "Mötet är inställt; dess ärenden går till nästa möte.",
    "The meeting must end after it starts.": "Mötet måste sluta efter att det börjar.",
    "The meeting was moved.": "Mötet flyttades.",
    "The meeting was not moved.": "Mötet flyttades inte.",
    "The minutes are already approved.": "Protokollet är redan justerat.",
    "The minutes are approved and the decisions applied to the cases.":
        "Protokollet är justerat och besluten är införda i ärendena.",
    "The recurrence is not valid, e.g. FREQ=WEEKLY;INTERVAL=4;BYDAY=WE.":
        "Upprepningen är inte giltig, t.ex. FREQ=WEEKLY;INTERVAL=4;BYDAY=WE.",
    "The steering group": "Styrgruppen",
    "There is already a meeting series with this name.": "Det finns redan en mötesserie med det namnet.",
    "This item has no case; choose \u201cnoted\u201d.": "Punkten har inget ärende; välj \u201dnoterat\u201d.",
    "Title": "Rubrik",
    "Version %(v)s": "Version %(v)s",
    "Video link": "Videolänk",
    "What": "Vad",
    "When": "När",
    "Why remove it": "Varför tas den bort",
    "Write dates as YYYY-MM-DD, one per line.": "Skriv datum som ÅÅÅÅ-MM-DD, ett per rad.",
    "Write the answer to the company; it is shown on their status link.":
        "Skriv svaret till företaget; det visas på deras statuslänk.",
    "Write the decision.": "Skriv beslutet.",
    "Your addresses (shown once; make new ones if you lose them)":
        "Dina adresser (visas en gång; skapa nya om du tappar bort dem)",
    "Your calendar addresses are below. Earlier addresses no longer work.":
        "Dina kalenderadresser står nedan. Tidigare adresser fungerar inte längre.",
    "approved %(date)s": "justerat %(date)s",
    "correction": "rättelse",
    "draft": "utkast",
    "edited": "redigerad",
    "meeting series": "mötesserie",
    "new": "ny",
    "no longer current": "inaktuell",
    "previously handled %(date)s": "tidigare behandlad %(date)s",
    "removed": "borttagen",
    "– not decided –": "– inget beslut –",
})
SV.update({
    "handled at the meeting on %(date)s": "behandlas på mötet %(date)s",
    "Decisions": "Beslut",
})

# --- action items, planned changes, notifications (issue 7) ---
SV.update({
    "A rule moved or flagged a case": "En regel flyttade eller flaggade ett ärende",
    "Action item added": "Åtgärd tillagd",
    "Action item updated": "Åtgärd uppdaterad",
    "Action items": "Åtgärder",
    "Add an action item": "Lägg till en åtgärd",
    "Add the action item": "Lägg till åtgärden",
    "Blocked": "Blockerad",
    "Changes an organisation plans that affect companies in the business areas: road works, a new detaljplan, "
    "changed waste collection, construction. They are put under information on the next coordination-group agenda "
    "and tell the coordinator which companies to inform.":
        "Förändringar som en organisation planerar och som påverkar företag i verksamhetsområdena: vägarbeten, en "
        "ny detaljplan, ändrad avfallshämtning, byggen. De tas upp under information på nästa dagordning för "
        "samordningsgruppen och visar samordnaren vilka företag som behöver informeras.",
    "Choose a person of the organisation from the list.": "Välj en person på organisationen i listan.",
    "Choose one of the options for every kind.": "Välj ett av alternativen för varje slag.",
    "Contact": "Kontakt",
    "Decision corrected": "Beslut rättat",
    "Done": "Klar",
    "Due %(date)s": "Senast %(date)s",
    "Due date": "Senast klar",
    "E-mail at once": "E-post direkt",
    "E.g. road works on Ågesta broväg, a new detaljplan, changed waste collection.":
        "T.ex. vägarbete på Ågesta broväg, en ny detaljplan, ändrad avfallshämtning.",
    "Enter the due date.": "Ange när åtgärden ska vara klar.",
    "Escalation declined": "Lyft avslaget",
    "Escalation requested": "Lyft begärt",
    "Everything is always in your notifications in the app. Choose per kind whether you also want an e-mail at "
    "once, or one e-mail a day with everything of that kind.":
        "Allt finns alltid bland dina notiser i appen. Välj för varje slag om du också vill ha e-post direkt, "
        "eller ett e-brev om dagen med allt av det slaget.",
    "Flagged as overdue": "Flaggat som försenat",
    "From": "Från",
    "How you are notified": "Hur du får notiser",
    "No action items.": "Inga åtgärder.",
    "No open action items.": "Inga öppna åtgärder.",
    "No planned changes reported.": "Inga planerade förändringar rapporterade.",
    "Not tied to one area": "Inte knutet till ett område",
    "Notified": "Meddelat",
    "One e-mail a day (digest)": "Ett e-brev om dagen (sammanfattning)",
    "Only in the app": "Bara i appen",
    "Only officials of the organisation that owns the action item can update it.":
        "Bara tjänstepersoner på organisationen som äger åtgärden kan uppdatera den.",
    "Only when the status is Blocked.": "Bara när status är Blockerad.",
    "Our action items": "Våra åtgärder",
    "Overdue first, then by due date. Update the status or write a progress note in one step.":
        "Försenade först, sedan efter datum. Uppdatera status eller skriv en lägesanteckning i ett steg.",
    "Planned changes": "Planerade förändringar",
    "Postponed": "Bordlagt",
    "Progress note": "Lägesanteckning",
    "Published agendas": "Publicerade dagordningar",
    "Reminders of action items": "Påminnelser om åtgärder",
    "Report": "Rapportera",
    "Report a planned change": "Rapportera en planerad förändring",
    "Reported": "Rapporterad",
    "Reported changes, newest first": "Rapporterade förändringar, nyaste först",
    "Responsible person (optional)": "Ansvarig person (valfritt)",
    "Say what blocks the action item.": "Ange vad som blockerar åtgärden.",
    "Say what is planned.": "Ange vad som planeras.",
    "Say what is to be done.": "Ange vad som ska göras.",
    "Someone else updated the action item while you were writing. Nothing was overwritten; the item shows the "
    "newer values. Add your note again if it is still needed.":
        "Någon annan uppdaterade åtgärden medan du skrev. Inget skrevs över; åtgärden visar de nyare värdena. "
        "Lägg till din anteckning igen om den fortfarande behövs.",
    "The action item now": "Åtgärden nu",
    "The action item was added.": "Åtgärden lades till.",
    "The action item was not saved.": "Åtgärden sparades inte.",
    "The action item was not updated.": "Åtgärden uppdaterades inte.",
    "The action item was updated.": "Åtgärden uppdaterades.",
    "The case is closed.": "Ärendet är avslutat.",
    "The end cannot be before the start.": "Slutet kan inte vara före början.",
    "The planned change was not saved.": "Den planerade förändringen sparades inte.",
    "The planned change was reported; it will be on the next coordination-group agenda.":
        "Den planerade förändringen är rapporterad; den kommer med på nästa dagordning för samordningsgruppen.",
    "To": "Till",
    "Update": "Uppdatera",
    "Update again": "Uppdatera igen",
    "What blocks it": "Vad som blockerar",
    "What is planned": "Vad som planeras",
    "What is to be done": "Vad som ska göras",
    "What you wrote (not saved)": "Det du skrev (inte sparat)",
    "Who companies can ask: name, e-mail or phone.": "Vem företagen kan fråga: namn, e-post eller telefon.",
    "Write a progress note or choose a new status.": "Skriv en lägesanteckning eller välj en ny status.",
    "You can add action items only for your own organisation.": "Du kan bara lägga till åtgärder för din egen organisation.",
    "You can report planned changes only for your own organisation.":
        "Du kan bara rapportera planerade förändringar för din egen organisation.",
    "Your choices were saved.": "Dina val sparades.",
    "due %(date)s": "senast %(date)s",
    "if blocked": "om blockerad",
})
SV.update({"Enter a date between 1900 and 9998.": "Ange ett datum mellan år 1900 och 9998."})

# --- companies, contacts, contact log (issue 8, first part) ---
SV.update({
    "%(name)s is confirmed in the register.": "%(name)s är bekräftad i registret.",
    "%(num)d company or property owner": ("%(num)d företag eller fastighetsägare",
                                          "%(num)d företag och fastighetsägare"),
    "Add a contact person": "Lägg till en kontaktperson",
    "Added from the public form and not yet confirmed. Check the details and confirm the company in the register.":
        "Tillagd från det öppna formuläret och inte bekräftad ännu. Kontrollera uppgifterna och bekräfta företaget "
        "i registret.",
    "An anonymised contact person cannot be edited.": "En anonymiserad kontaktperson kan inte ändras.",
    "Anonymise": "Anonymisera",
    "Call": "Samtal",
    "Cases (optional)": "Ärenden (valfritt)",
    "Check the organisation number.": "Kontrollera organisationsnumret.",
    "Check the property designations.": "Kontrollera fastighetsbeteckningarna.",
    "Choose a kind of contact from the list.": "Välj ett slags kontakt i listan.",
    "Choose at least one company.": "Välj minst ett företag.",
    "Choose business areas from the list.": "Välj verksamhetsområden i listan.",
    "Choose companies from the list.": "Välj företag i listan.",
    "Companies": "Företag",
    "Companies and property owners": "Företag och fastighetsägare",
    "Company and property owner": "Företag och fastighetsägare",
    "Confirm": "Bekräfta",
    "Contact log": "Kontaktlogg",
    "Contact persons": "Kontaktpersoner",
    "Edit": "Redigera",
    "Enter when the contact took place.": "Ange när kontakten ägde rum.",
    "In the register": "I registret",
    "Kind of contact": "Slags kontakt",
    "Log": "Logga",
    "Log a contact": "Logga en kontakt",
    "Mail": "E-brev",
    "Meetings, calls, visits and mails with companies and property owners: the coordinator's regular contact and "
    "outreach.":
        "Möten, samtal, besök och e-brev med företag och fastighetsägare: samordnarens löpande kontakt och "
        "uppsökande arbete.",
    "Name, organisation number or address.": "Namn, organisationsnummer eller adress.",
    "New company or property owner": "Nytt företag eller ny fastighetsägare",
    "No cases.": "Inga ärenden.",
    "No contact persons.": "Inga kontaktpersoner.",
    "No contacts logged.": "Inga kontakter loggade.",
    "Note": "Anteckning",
    "One per line, e.g. Högdalen 3:14.": "En per rad, t.ex. Högdalen 3:14.",
    "Only those not yet confirmed": "Bara de som inte är bekräftade",
    "Open cases": "Öppna ärenden",
    "Property designations": "Fastighetsbeteckningar",
    "Property owner": "Fastighetsägare",
    "References separated by commas, e.g. SBR 2026/0042.": "Diarienummer åtskilda av kommatecken, t.ex. SBR 2026/0042.",
    "Search the register": "Sök i registret",
    "Sole trader (enskild firma): registered with a personal identity number":
        "Enskild firma: registrerad med personnummer",
    "That is a personal identity number (12 digits). Only a sole trader (enskild firma) is registered with one; tick "
    "the box or give the company's organisation number.":
        "Det är ett personnummer (12 siffror). Bara en enskild firma registreras med ett sådant; kryssa i rutan "
        "eller ange företagets organisationsnummer.",
    "The contact person was added.": "Kontaktpersonen lades till.",
    "The contact was logged.": "Kontakten loggades.",
    "The contact was not logged.": "Kontakten loggades inte.",
    "The latest 100 contacts": "De senaste 100 kontakterna",
    "The register": "Registret",
    "There is already a company with this organisation number.": "Det finns redan ett företag med det organisationsnumret.",
    "Visit": "Besök",
    "Write each property designation as the area's name and the block and unit, e.g. Högdalen 3:14 (not: "
    "%(wrong)s).":
        "Skriv varje fastighetsbeteckning som traktens namn följt av block och enhet, t.ex. Högdalen 3:14 (inte: "
        "%(wrong)s).",
    "anonymised %(date)s": "anonymiserad %(date)s",
    "not confirmed": "inte bekräftad",
    "sole trader": "enskild firma",
})

# --- development projects and outreach (issue 8, second part) ---
SV.update({
    "%(informed)s of %(total)s": "%(informed)s av %(total)s",
    "%(informed)s of %(total)s informed": "%(informed)s av %(total)s informerade",
    "%(n)s mails are on their way through the outbox.": "%(n)s e-brev är på väg via utkorgen.",
    "%(n)s marked as informed.": "%(n)s markerade som informerade.",
    "%(num)d contact with e-mail": ("%(num)d kontakt med e-post", "%(num)d kontakter med e-post"),
    "A development project in or near business areas gives the list of companies and property owners to inform. "
    "Mark who has been told, and how, or send them a mail through the system.":
        "Ett utvecklingsprojekt i eller nära verksamhetsområden ger listan över företag och fastighetsägare som "
        "ska informeras. Markera vilka som fått veta och hur, eller skicka dem ett e-brev via systemet.",
    "Answer (optional)": "Svar (valfritt)",
    "Business areas affected": "Berörda verksamhetsområden",
    "Choose how they were told.": "Välj hur de informerades.",
    "Choose the business areas the project affects.": "Välj de verksamhetsområden som projektet berör.",
    "Companies and property owners in the affected areas": "Företag och fastighetsägare i de berörda områdena",
    "Detailed plan": "Detaljplan",
    "Development project (exploatering)": "Exploateringsprojekt",
    "Development projects and outreach": "Utvecklingsprojekt och uppsökande arbete",
    "How": "Hur",
    "Informed": "Informerad",
    "Letter": "Brev",
    "Mark as informed": "Markera som informerade",
    "Mark the chosen as informed": "Markera de valda som informerade",
    "Message": "Meddelande",
    "New project": "Nytt projekt",
    "No companies or property owners are registered in the affected areas.":
        "Inga företag eller fastighetsägare är registrerade i de berörda områdena.",
    "No projects yet.": "Inga projekt ännu.",
    "None of the chosen companies has a contact person with an e-mail address.":
        "Inget av de valda företagen har en kontaktperson med e-postadress.",
    "Not yet": "Inte ännu",
    "Nothing was sent.": "Inget skickades.",
    "One mail per contact person with an e-mail address, through the outbox. {company} and {name} are replaced by "
    "the company's and the person's name.":
        "Ett e-brev per kontaktperson med e-postadress, via utkorgen. {company} och {name} ersätts med företagets "
        "och personens namn.",
    "Or send the chosen a mail": "Eller skicka ett e-brev till de valda",
    "Outreach list": "Lista för uppsökande arbete",
    "Project": "Projekt",
    "Projects, newest first": "Projekt, nyaste först",
    "Road works": "Vägarbete",
    "Send the mails": "Skicka e-breven",
    "Write a subject.": "Skriv ett ämne.",
    "Write the message.": "Skriv meddelandet.",
})

# --- import and personal data (issue 8, third part) ---
SV.update({
    "%(new)s new, %(update)s updated, %(error)s with errors.": "%(new)s nya, %(update)s uppdateras, %(error)s med fel.",
    "A CSV file with a header row: namn, organisationsnummer, typ (företag, fastighetsägare or båda), adress, "
    "fastighetsbeteckningar and verksamhetsområden (several separated by |). Separate the fields with ; or ,. A "
    "company already in the register (same organisation number) is updated, not added again. Nothing is saved "
    "until you have seen the preview.":
        "En CSV-fil med en rubrikrad: namn, organisationsnummer, typ (företag, fastighetsägare eller båda), adress, "
        "fastighetsbeteckningar och verksamhetsområden (flera åtskilda med |). Skilj fälten åt med ; eller ,. Ett "
        "företag som redan finns i registret (samma organisationsnummer) uppdateras i stället för att läggas till "
        "igen. Inget sparas förrän du har sett förhandsgranskningen.",
    "Anonymise the person": "Anonymisera personen",
    "Anonymised: %(contacts)s contact persons, %(cases)s cases, %(mails)s unsent mails.":
        "Anonymiserat: %(contacts)s kontaktpersoner, %(cases)s ärenden, %(mails)s ej skickade e-brev.",
    "At most %(n)s rows can be imported at a time.": "Högst %(n)s rader kan läsas in åt gången.",
    "CSV file": "CSV-fil",
    "Choose a CSV file.": "Välj en CSV-fil.",
    "Correct the rows with errors in the file and upload it again. Nothing was saved.":
        "Rätta raderna med fel i filen och ladda upp den igen. Inget sparades.",
    "Download the extract (JSON)": "Ladda ned registerutdraget (JSON)",
    "Enter the person's e-mail address.": "Ange personens e-postadress.",
    "Every row of the file": "Varje rad i filen",
    "For requests under the data protection regulation. The extract lists everything the system holds about a "
    "person: contact person entries, the cases they raised, contacts with their companies and the mails sent to "
    "them. Anonymising removes their name, e-mail address and phone number from the register, from those cases and "
    "from the search, and stops unsent mails; the history keeps that something happened, not who.":
        "För begäranden enligt dataskyddsförordningen. Registerutdraget visar allt systemet har om en person: "
        "uppgifter som kontaktperson, ärenden personen har lämnat, kontakter med deras företag och e-brev som "
        "skickats till dem. Anonymisering tar bort namn, e-postadress och telefonnummer ur registret, ur ärendena "
        "och ur sökningen och stoppar ej skickade e-brev; historiken behåller att något hände, inte vem.",
    "Import all rows": "Läs in alla rader",
    "Import companies": "Läs in företag",
    "Import from CSV": "Läs in från CSV",
    "Imported: %(new)s new, %(update)s updated.": "Inläst: %(new)s nya, %(update)s uppdaterade.",
    "Preview": "Förhandsgranskning",
    "Result": "Resultat",
    "Row": "Rad",
    "Show the preview": "Visa förhandsgranskningen",
    "The contact person was anonymised, also on the cases they raised.":
        "Kontaktpersonen anonymiserades, även i de ärenden personen har lämnat.",
    "The file has no rows to import.": "Filen har inga rader att läsa in.",
    "The file has rows with errors; nothing was saved.": "Filen har rader med fel; inget sparades.",
    "The file is empty.": "Filen är tom.",
    "The file is not a text (CSV) file.": "Filen är inte en textfil (CSV).",
    "The file needs the columns namn and organisationsnummer in its first row.":
        "Filen behöver kolumnerna namn och organisationsnummer på första raden.",
    "The first 500 rows are shown.": "De första 500 raderna visas.",
    "The kind must be företag, fastighetsägare or båda.": "Typen ska vara företag, fastighetsägare eller båda.",
    "The name is missing.": "Namnet saknas.",
    "The person's e-mail address": "Personens e-postadress",
    "The same organisation number as row %(line)s.": "Samma organisationsnummer som rad %(line)s.",
    "The uploaded file has expired; upload it again.": "Den uppladdade filen har gått ut; ladda upp den igen.",
    "Unknown business area: %(area)s.": "Okänt verksamhetsområde: %(area)s.",
    "update": "uppdateras",
})
SV.update({
    "The planned change is not tied to a business area; create the project by hand and choose the areas.":
        "Den planerade förändringen är inte knuten till ett verksamhetsområde; skapa projektet för hand och välj "
        "områdena.",
})

# --- follow-up reports (issue 9) ---
SV.update({
    "%(num)d committee has submitted.": ("%(num)d nämnd har lämnat in.", "%(num)d nämnder har lämnat in."),
    "Approve": "Godkänn",
    "Approved": "Godkänd",
    "Cases closed: %(n)s": "Avslutade ärenden: %(n)s",
    "Cases received: %(n)s": "Inkomna ärenden: %(n)s",
    "Choose T1, T2 or VB.": "Välj T1, T2 eller VB.",
    "City-wide compilation:": "Sammanställning för hela staden:",
    "Committee": "Nämnd",
    "Companies informed (outreach)": "Informerade företag (uppsökande arbete)",
    "Compilation": "Sammanställning",
    "Contact person for questions": "Kontaktperson för eventuella frågor",
    "Each committee reports on the business policy's focus areas per reporting period: T1 (January–April), T2 "
    "(May–August) and VB (the whole year). The facts the system knows are shown beside each focus area.":
        "Varje nämnd rapporterar om näringslivspolicyns fokusområden per period: T1 (januari–april), T2 "
        "(maj–augusti) och VB (hela året). Det systemet vet visas bredvid varje fokusområde.",
    "Escalations per level": "Lyft per nivå",
    "Facts as CSV": "Fakta som CSV",
    "Facts for the period": "Fakta för perioden",
    "Follow-up report": "Uppföljningsrapport",
    "Follow-up reports": "Uppföljningsrapporter",
    "From the data": "Ur ärendena",
    "Give a contact person with a phone number or an e-mail address.":
        "Ange en kontaktperson med telefonnummer eller e-postadress.",
    "Median working days to decision": "Median arbetsdagar till beslut",
    "Median working days to triage": "Median arbetsdagar till triage",
    "No committees to report for.": "Inga nämnder att rapportera för.",
    "Not started": "Inte påbörjad",
    "Notable decisions": "Viktiga beslut",
    "Nothing was overwritten. Both versions are shown below; combine them and save again.":
        "Inget skrevs över. Båda versionerna visas nedan; sammanfoga dem och spara igen.",
    "Only a submitted report can be approved.": "Bara en inlämnad rapport kan godkännas.",
    "Only a submitted report can be returned.": "Bara en inlämnad rapport kan återlämnas.",
    "Other information": "Övriga upplysningar",
    "Overdue action items": "Försenade åtgärder",
    "Reports": "Rapporter",
    "Reports per committee and period": "Rapporter per nämnd och period",
    "Return for completion": "Återlämna för komplettering",
    "Returned for completion": "Återlämnad för komplettering",
    "Review": "Granskning",
    "Saved by someone else": "Sparat av någon annan",
    "Say what needs completing.": "Ange vad som behöver kompletteras.",
    "Someone else saved some answers while you were writing": "Någon annan sparade svar medan du skrev",
    "Submit the report": "Lämna in rapporten",
    "Submitted": "Inlämnad",
    "The report has not been started. The officials of the organisation serving the committee start it by opening it.":
        "Rapporten är inte påbörjad. Tjänstepersonerna på förvaltningen som betjänar nämnden påbörjar den genom att "
        "öppna den.",
    "The report is already submitted.": "Rapporten är redan inlämnad.",
    "The report is submitted; it can be changed only when it is returned.":
        "Rapporten är inlämnad; den kan ändras först när den återlämnas.",
    "The report was approved.": "Rapporten godkändes.",
    "The report was not returned.": "Rapporten återlämnades inte.",
    "The report was not submitted.": "Rapporten lämnades inte in.",
    "The report was returned for completion.": "Rapporten återlämnades för komplettering.",
    "The report was saved.": "Rapporten sparades.",
    "The report was submitted.": "Rapporten lämnades in.",
    "There is already a template for %(year)s.": "Det finns redan en mall för %(year)s.",
    "There is no report template for %(year)s.": "Det finns ingen rapportmall för %(year)s.",
    "What needs completing": "Vad som behöver kompletteras",
    "Work-group meetings held": "Hållna möten i arbetsgrupperna",
    "Year": "År",
    "Your text (not saved)": "Din text (inte sparad)",
    "frozen when submitted": "låsta vid inlämning",
    "level %(level)s: %(n)s": "nivå %(level)s: %(n)s",
    "submitted %(date)s": "inlämnad %(date)s",
})
SV.update({
    "Give an order between 0 and 100 000.": "Ange en ordning mellan 0 och 100 000.",
    "The case is already at that level or higher; decline the request with an answer.":
        "Ärendet är redan på den nivån eller högre; avslå begäran med ett svar.",
})

# --- dashboard (issue 9) ---
SV.update({
    "%(total)s open cases: %(parts)s.": "%(total)s öppna ärenden: %(parts)s.",
    "90th percentile": "90:e percentilen",
    "Cases in and closed per month": "Inkomna och avslutade ärenden per månad",
    "Cases in and closed per month, as a table": "Inkomna och avslutade ärenden per månad, som tabell",
    "Cases received and closed per month": "Inkomna och avslutade ärenden per månad",
    "Escalations": "Lyft",
    "Escalations by rule, last 12 months": "Lyft per regel, senaste 12 månaderna",
    "Figures": "Siffror",
    "Median": "Median",
    "Month": "Månad",
    "No overdue action items.": "Inga försenade åtgärder.",
    "Open cases per level": "Öppna ärenden per nivå",
    "Open cases per level and business area": "Öppna ärenden per nivå och verksamhetsområde",
    "Overdue action items per organisation": "Försenade åtgärder per organisation",
    "Stays": "Vistelser",
    "The last 12 months: %(received)s received, %(closed)s closed.":
        "Senaste 12 månaderna: %(received)s inkomna, %(closed)s avslutade.",
    "Time at each level, stays ended in the last 12 months (working days)":
        "Tid på varje nivå, för vistelser som slutade de senaste 12 månaderna (arbetsdagar)",
    "open cases": "öppna ärenden",
    "received": "inkomna",
})
SV.update({
    "Add a question": "Lägg till en fråga",
    "Answered by": "Besvaras av",
    "Choose a template and a year between 2000 and 2100.": "Välj en mall och ett år mellan 2000 och 2100.",
    "Choose committees from the list.": "Välj nämnder i listan.",
    "Copy": "Kopiera",
    "Copy a template to a new year": "Kopiera en mall till ett nytt år",
    "Facts as Excel": "Fakta som Excel",
    "None chosen: every committee.": "Inget val: alla nämnder.",
    "Question": "Fråga",
    "Question %(n)s": "Fråga %(n)s",
    "Report templates": "Rapportmallar",
    "Save the question": "Spara frågan",
    "Template": "Mall",
    "The question was saved.": "Frågan sparades.",
    "The template was copied to %(year)s.": "Mallen kopierades till %(year)s.",
    "Write the question (at most 2 000 characters).": "Skriv frågan (högst 2 000 tecken).",
})
SV.update({
    "Also gets the reminders of the organisation's action items.": "Får också påminnelserna om organisationens åtgärder.",
    "Between 0 and 30 working days.": "Mellan 0 och 30 arbetsdagar.",
    "Between 1 and 60 working days.": "Mellan 1 och 60 arbetsdagar.",
    "Choose a work group from the list.": "Välj en arbetsgrupp i listan.",
    "Empty: 3 working days.": "Tomt: 3 arbetsdagar.",
    "Empty: every 5 working days.": "Tomt: var 5:e arbetsdag.",
    "Remind again while overdue, every (working days)": "Påminn igen medan den är försenad, med (arbetsdagars) mellanrum",
    "Remind before the due date (working days)": "Påminn före datumet (arbetsdagar)",
    "Work group (optional)": "Arbetsgrupp (valfritt)",
})
SV.update({
    "An answer may be at most %(max)s characters; shorten it and save again. Nothing was saved.":
        "Ett svar får vara högst %(max)s tecken; korta det och spara igen. Inget sparades.",
})
SV.update({  # queue filter by routing rule (dashboard links)
    "Escalated by rule": "Lyft av regel",
    "Escalated from": "Lyft från och med",
    "Choose a rule from the list.": "Välj en regel i listan.",
    "By a person (no rule)": "Av en person (ingen regel)",
    "escalations": "lyft",
    "Each number counts escalations; its link lists the cases escalated, so a case escalated twice by one rule is counted twice here and listed once.":
        "Varje tal räknar lyft; länken visar de lyfta ärendena, så ett ärende som lyfts två gånger av samma regel räknas två gånger här och visas en gång i listan.",
})

# --- login hardening (issue 11): lockout, my account, log out everywhere, password rules, TOTP ---
SV.update({
    "At least 10 characters, not a common password and not the first part of your e-mail address. A few words "
    "that belong together only for you are easy to remember and hard to guess.":
        "Minst 10 tecken, inte ett vanligt lösenord och inte första delen av din e-postadress. Några ord som hör "
        "ihop bara för dig är lätta att komma ihåg och svåra att gissa.",
    "Change the password": "Byt lösenordet",
    "Change your password": "Byt lösenord",
    "Choose a password other than the current one.": "Välj ett annat lösenord än det nuvarande.",
    "Choose to enter a key by hand, and type the key below (the spaces do not matter), or open the link on the "
    "phone. The account is your e-mail address; the kind is time-based.":
        "Välj att ange en nyckel för hand och skriv nyckeln nedan (mellanslagen spelar ingen roll), eller öppna "
        "länken i telefonen. Kontot är din e-postadress; typen är tidsbaserad.",
    "Code from the app": "Kod från appen",
    "Current password": "Nuvarande lösenord",
    "Ends every session of your account: on this computer and on every other computer and phone where you are "
    "logged in. Do this if you forgot to log out somewhere or think someone else has used your account. API "
    "tokens are not affected.":
        "Avslutar alla inloggningar på ditt konto: på den här datorn och på alla andra datorer och telefoner där "
        "du är inloggad. Gör det om du har glömt att logga ut någonstans eller tror att någon annan har använt "
        "ditt konto. API-nycklar påverkas inte.",
    "Enter a new password.": "Ange ett nytt lösenord.",
    "Enter the code from your app": "Ange koden från din app",
    "Enter the new password again.": "Ange det nya lösenordet en gång till.",
    "Enter the six-digit code the app now shows, to show that it works. Two-step verification is turned on only "
    "then.":
        "Ange den sexsiffriga kod som appen visar nu, för att visa att det fungerar. Först då slås "
        "tvåstegsverifieringen på.",
    "Enter the six-digit code your app shows.": "Ange den sexsiffriga kod som din app visar.",
    "Enter your current password.": "Ange ditt nuvarande lösenord.",
    "Keep the key to yourself: anyone who has it can make codes for your account.":
        "Håll nyckeln för dig själv: den som har den kan skapa koder för ditt konto.",
    "Key": "Nyckel",
    "Last login": "Senaste inloggning",
    "Link for the app": "Länk för appen",
    "Log in: code": "Logga in: kod",
    "Log out everywhere": "Logga ut överallt",
    "Login is paused": "Inloggningen är pausad",
    "My account": "Mitt konto",
    "New password": "Nytt lösenord",
    "New password again": "Nytt lösenord igen",
    "Off. With two-step verification, logging in needs a code from an authenticator app on your phone as well "
    "as your password, so a stolen password alone is not enough.":
        "Av. Med tvåstegsverifiering behövs en kod från en autentiseringsapp i din telefon utöver lösenordet för "
        "att logga in, så att ett stulet lösenord inte räcker.",
    "On since %(date)s: you log in with your password and a code from the authenticator app on your phone.":
        "På sedan %(date)s: du loggar in med ditt lösenord och en kod från autentiseringsappen i din telefon.",
    "Open an authenticator app on your phone (for example Microsoft Authenticator, Google Authenticator or "
    "FreeOTP) and choose to add an account.":
        "Öppna en autentiseringsapp i din telefon (till exempel Microsoft Authenticator, Google Authenticator "
        "eller FreeOTP) och välj att lägga till ett konto.",
    "Set up two-step verification": "Ställ in tvåstegsverifiering",
    "Six digits; a new code every 30 seconds.": "Sex siffror; en ny kod var 30:e sekund.",
    "Start again with another account": "Börja om med ett annat konto",
    "The code is not right, or it was already used. Enter the code the app shows now.":
        "Koden stämmer inte, eller så har den redan använts. Ange koden som appen visar nu.",
    "The code is not right. Check that the time on your phone is correct, and enter the code the app shows now.":
        "Koden stämmer inte. Kontrollera att klockan i telefonen går rätt och ange koden som appen visar nu.",
    "The code is six digits.": "Koden är sex siffror.",
    "The current password is not right.": "Det nuvarande lösenordet stämmer inte.",
    "The password must not contain the first part of the e-mail address (%(part)s).":
        "Lösenordet får inte innehålla e-postadressens första del (%(part)s).",
    "The password was not changed.": "Lösenordet byttes inte.",
    "The time to enter the code ran out. Log in again.": "Tiden för att ange koden tog slut. Logga in igen.",
    "The two new passwords are not the same.": "De två nya lösenorden är inte likadana.",
    "This password is too common and easy to guess. Choose another one, for example a few words that belong "
    "together only for you.":
        "Lösenordet är för vanligt och lätt att gissa. Välj ett annat, till exempel några ord som hör ihop bara "
        "för dig.",
    "Tick the box to confirm.": "Kryssa i rutan för att bekräfta.",
    "Too many failed attempts": "För många misslyckade försök",
    "Too many failed attempts.": "För många misslyckade försök.",
    "Too many failed attempts. Wait %(num)d minute and try again.": (
        "För många misslyckade försök. Vänta %(num)d minut och försök igen.",
        "För många misslyckade försök. Vänta %(num)d minuter och försök igen."),
    "Turn on two-step verification": "Slå på tvåstegsverifiering",
    "Turn two-step verification off": "Stäng av tvåstegsverifiering",
    "Two-step verification": "Tvåstegsverifiering",
    "Two-step verification is already on.": "Tvåstegsverifieringen är redan på.",
    "Two-step verification is for administrators and coordinators.":
        "Tvåstegsverifiering finns för administratörer och samordnare.",
    "Two-step verification is not on.": "Tvåstegsverifieringen är inte på.",
    "Two-step verification is off. You log in with your password only.":
        "Tvåstegsverifieringen är avstängd. Du loggar in med bara ditt lösenord.",
    "Two-step verification is on. From now on you log in with your password and a code from the app. You are "
    "logged out on every other computer and phone.":
        "Tvåstegsverifieringen är på. Från och med nu loggar du in med ditt lösenord och en kod från appen. Du är "
        "utloggad på alla andra datorer och telefoner.",
    "Two-step verification is still on.": "Tvåstegsverifieringen är fortfarande på.",
    "Two-step verification was not turned on.": "Tvåstegsverifieringen slogs inte på.",
    "Yes, log me out on every computer and phone, this one too":
        "Ja, logga ut mig på alla datorer och telefoner, även den här",
    "You are logged out on every computer and phone.": "Du är utloggad på alla datorer och telefoner.",
    "Your password is changed. You are logged out on every other computer and phone.":
        "Ditt lösenord är bytt. Du är utloggad på alla andra datorer och telefoner.",
    "Your password was right. Two-step verification is on for your account: open the authenticator app on your "
    "phone and enter the code it shows for Samordning.":
        "Lösenordet stämde. Tvåstegsverifiering är på för ditt konto: öppna autentiseringsappen i din telefon och "
        "ange koden den visar för Samordning.",
})
SV.update({  # paged action items on a department's start page
    "Pages of action items": "Sidor med åtgärder",
    "Action items %(first)d–%(last)d of %(total)d": "Åtgärd %(first)d–%(last)d av %(total)d",
})
SV.update({  # the start pages' figures
    "As of %(time)s; the figures are updated every few minutes.": "Per kl. %(time)s; siffrorna uppdateras med några minuters mellanrum.",
})
SV.update({  # hardening: uploads, hostile input
    "The files are larger than %(mb)s MB together.": "Filerna är större än %(mb)s MB tillsammans.",
    "The file is larger than %(mb)s MB; split it into smaller files.":
        "Filen är större än %(mb)s MB; dela upp den i mindre filer.",
})
SV.update({  # the audit log (/admin/logg)
    "Audit log": "Granskningslogg",
    "who did what, when": "vem gjorde vad, när",
    "Every login, every change made on the administration pages, every read of contact persons' personal data "
    "and every export is recorded here, with who, when and which record. Entries are never changed or deleted. "
    "Details name records and fields, never their content.":
        "Varje inloggning, varje ändring på administrationssidorna, varje läsning av kontaktpersoners "
        "personuppgifter och varje export registreras här, med vem, när och vilken post. Händelserna ändras eller "
        "raderas aldrig. Detaljerna namnger poster och fält, aldrig deras innehåll.",
    "Filter the audit log": "Filtrera granskningsloggen",
    "Download the entries shown by the filters as CSV (at most 10 000, newest first)":
        "Ladda ner händelserna som filtren visar som CSV (högst 10 000, nyaste först)",
    "Entries %(first)d–%(last)d, newest first": "Händelse %(first)d–%(last)d, nyaste först",
    "Audit log entries, newest first": "Granskningsloggens händelser, nyaste först",
    "No entries match the filters.": "Inga händelser matchar filtren.",
    "Page %(page)d": "Sida %(page)d",
    "Time": "Tid",
    "Who": "Vem",
    "What happened": "Händelse",
    "Record": "Post",
    "Details": "Detaljer",
    "Client address (hash)": "Klientadress (hash)",
    "Request id": "Begärans id",
    "Time (UTC)": "Tid (UTC)",
    "User id": "Användar-id",
    "Event code": "Händelsekod",
    "Kind of record": "Typ av post",
    "Record id": "Post-id",
    "Record reference": "Postens referens",
    "Everyone": "Alla",
    "From date": "Från datum",
    "To date": "Till datum",
    "YYYY-MM-DD, this day included": "ÅÅÅÅ-MM-DD, dagen räknas med",
    "The to date is before the from date.": "Till-datumet är före från-datumet.",
    "Choose a person from the list.": "Välj en person i listan.",
    "Choose an event from the list.": "Välj en händelse i listan.",
    "Choose a kind of record from the list.": "Välj en typ av post i listan.",
    "The system (command line and jobs)": "Systemet (kommandorad och jobb)",
    "Login": "Inloggning",
    "Failed login": "Misslyckad inloggning",
    "Login refused while locked": "Inloggning nekad under spärr",
    "Logout": "Utloggning",
    "Logout on every device": "Utloggning på alla enheter",
    "Record created": "Post skapad",
    "Record changed": "Post ändrad",
    "Record activated": "Post aktiverad",
    "Record deactivated": "Post inaktiverad",
    "Personal data read": "Personuppgifter lästa",
    "Personal data anonymised": "Personuppgifter anonymiserade",
    "Export": "Export",
    "Backup taken": "Säkerhetskopia tagen",
    "Backup restored": "Säkerhetskopia återställd",
    "User": "Användare",
    "Unknown account (hashed e-mail address)": "Okänt konto (hashad e-postadress)",
    "Series of meetings": "Mötesserie",
    "Report template": "Rapportmall",
    "Report question": "Fråga i rapportmall",
    "Person (hashed e-mail address)": "Person (hashad e-postadress)",
    "Database": "Databas",
})
SV.update({
    # An administrator turns off a user's two-step verification (a lost phone).
    "On since %(date)s.": "På sedan %(date)s.",
    "If the user has lost the phone with the authenticator app, turn it off: they are logged out everywhere, "
    "log in with their password alone and can set it up again.":
        "Om användaren har tappat bort telefonen med autentiseringsappen, stäng av den: användaren loggas ut "
        "överallt, loggar in med bara lösenordet och kan ställa in den igen.",
    "Turn off two-step verification for this user": "Stäng av tvåstegsverifieringen för användaren",
    "Two-step verification is off for %(name)s, and they are logged out everywhere. They log in with their "
    "password alone and can set it up again under My account.":
        "Tvåstegsverifieringen är avstängd för %(name)s, som också är utloggad överallt. Användaren loggar in med "
        "bara lösenordet och kan ställa in den igen under Mitt konto.",
})
SV.update({"Other change by an administrator": "Annan ändring av en administratör"})
