"""French text of the back office's interface, keyed by its English text (tests check none is missing)."""

FRENCH: dict[str, str] = {
    # Frame, login, errors
    "Home": "Accueil",
    "Places": "Lieux",
    "Routes": "Parcours",
    "Events": "Événements",
    "Accounts": "Comptes",
    "Welcome": "Bienvenue",
    "Log in": "Se connecter",
    "Log out": "Se déconnecter",
    "Email": "Adresse e-mail",
    "Password": "Mot de passe",
    "Tourism office back office": "Back-office de l'office de tourisme",
    "Wrong email or password, or the account is disabled.": (
        "Adresse e-mail ou mot de passe incorrect, ou compte désactivé."
    ),
    "Security check failed": "Échec du contrôle de sécurité",
    "This form was not sent from an open page of the back office, or your session has ended. Nothing was changed.": (
        "Ce formulaire n'a pas été envoyé depuis une page ouverte du back-office, ou votre session a expiré. "
        "Rien n'a été modifié."
    ),
    "The form expired. Check your changes and save again.": (
        "Le formulaire a expiré. Vérifiez vos modifications et enregistrez à nouveau."
    ),
    "Back to the back office": "Retour au back-office",
    "Not allowed": "Accès refusé",
    "Only administrators can open this page.": "Seuls les administrateurs peuvent ouvrir cette page.",
    "Too many attempts. Wait a minute and try again.": "Trop de tentatives. Patientez une minute puis réessayez.",
    # Shared words
    "Save": "Enregistrer",
    "Saved.": "Enregistré.",
    "Reload": "Recharger",
    "Someone changed this item since you opened it (now version {version}). Reload to see their changes.": (
        "Quelqu'un a modifié cet élément depuis que vous l'avez ouvert (version {version} désormais). "
        "Rechargez la page pour voir ses modifications."
    ),
    "Search": "Rechercher",
    "Filter": "Filtrer",
    "Pages": "Pages",
    "Status": "Statut",
    "Updated": "Modifié le",
    "Name": "Nom",
    "Description": "Description",
    "Category": "Catégorie",
    "Slug": "Identifiant d'URL",
    "Source": "Source",
    "Address": "Adresse",
    "Back to the list": "Retour à la liste",
    "Back to the item": "Retour à la fiche",
    "This tab has errors": "Cet onglet contient des erreurs",
    "All statuses": "Tous les statuts",
    "All categories": "Toutes les catégories",
    "Nothing matches these filters.": "Aucun résultat pour ces filtres.",
    "version {version}": "version {version}",
    "French": "Français",
    "English": "Anglais",
    "Dutch": "Néerlandais",
    "German": "Allemand",
    "yes": "oui",
    "no": "non",
    "limited": "partiel",
    "unknown": "inconnu",
    # Statuses, roles, history actions
    "draft": "brouillon",
    "published": "publié",
    "archived": "archivé",
    "editor": "éditeur",
    "admin": "administrateur",
    "create": "création",
    "update": "modification",
    "delete": "suppression",
    "Publish": "Publier",
    "Unpublish": "Dépublier",
    "Archive": "Archiver",
    # History
    "Change history": "Historique des modifications",
    "Version": "Version",
    "When": "Quand",
    "Who": "Qui",
    "Action": "Action",
    "Changes": "Modifications",
    # POIs
    "New place": "Nouveau lieu",
    "{count} places found": "{count} lieux trouvés",
    "Search by name or tag": "Rechercher par nom ou mot-clé",
    "Tags": "Mots-clés",
    "Comma-separated, e.g. unesco, heritage": "Séparés par des virgules, par ex. unesco, patrimoine",
    "Opening hours": "Horaires d'ouverture",
    "OpenStreetMap syntax, e.g. Tu-Su 10:00-18:00; PH off": (
        "Syntaxe OpenStreetMap, par ex. Tu-Su 10:00-18:00; PH off (Tu = mardi, Su = dimanche, PH = jours fériés)"
    ),
    "Phone": "Téléphone",
    "Website": "Site web",
    "Wheelchair access": "Accès en fauteuil roulant",
    "Position is approximate": "Position approximative",
    "Longitude": "Longitude",
    "Latitude": "Latitude",
    "Leave empty to make one from the French name": "Laisser vide pour le créer à partir du nom français",
    "Click on the map to place the marker, or drag it.": (
        "Cliquez sur la carte pour placer le repère, ou faites-le glisser."
    ),
    # Events
    "New event": "Nouvel événement",
    "{count} events found": "{count} événements trouvés",
    "Search by title": "Rechercher par titre",
    "Drafts and published": "Brouillons et publiés",
    "Publication": "Publication",
    "Title": "Titre",
    "Starts": "Début",
    "Ends": "Fin",
    "All day": "Toute la journée",
    "When (local time, {zone})": "Quand (heure locale, {zone})",
    "For an all-day event only the dates count, and the end is the last day.": (
        "Pour un événement sur la journée entière, seules les dates comptent ; la fin est le dernier jour."
    ),
    "Repeats": "Répétition",
    "Does not repeat": "Ne se répète pas",
    "Every week on": "Chaque semaine le",
    "Every month, same day": "Chaque mois, le même jour",
    "Custom rule (RRULE)": "Règle personnalisée (RRULE)",
    "Days": "Jours",
    "Monday": "lundi",
    "Tuesday": "mardi",
    "Wednesday": "mercredi",
    "Thursday": "jeudi",
    "Friday": "vendredi",
    "Saturday": "samedi",
    "Sunday": "dimanche",
    "Until (last day)": "Jusqu'au (dernier jour)",
    "Or number of times": "Ou nombre de fois",
    "RRULE": "RRULE",
    "RFC 5545, e.g. FREQ=MONTHLY;BYDAY=1SA (first Saturday of each month)": (
        "RFC 5545, par ex. FREQ=MONTHLY;BYDAY=1SA (premier samedi de chaque mois)"
    ),
    "Price": "Tarif",
    "Organiser": "Organisateur",
    "Booking link": "Lien de réservation",
    "Online link": "Lien en ligne",
    "Internal notes": "Notes internes",
    "Venue (a place)": "Lieu (fiche existante)",
    "— none: the event's own point on the map —": "— aucun : le point de l'événement sur la carte —",
    "Find a venue by name": "Chercher un lieu par son nom",
    "Pick a venue, or click on the map for a place that is not in the list.": (
        "Choisissez un lieu, ou cliquez sur la carte pour un endroit absent de la liste."
    ),
    "Status changes of a published event are announced at once on the live feed.": (
        "Les changements de statut d'un événement publié sont annoncés immédiatement sur le flux en direct."
    ),
    "scheduled": "programmé",
    "cancelled": "annulé",
    "postponed": "reporté",
    "rescheduled": "reprogrammé",
    "moved_online": "en ligne",
    "Cancel the event": "Annuler l'événement",
    "Postpone (date to be announced)": "Reporter (date à venir)",
    "Mark as rescheduled": "Marquer comme reprogrammé",
    "Moved online": "Passé en ligne",
    "Back to scheduled": "Revenir à programmé",
    # Routes
    "New route": "Nouveau parcours",
    "Search by name": "Rechercher par nom",
    "Theme": "Thème",
    "Travelled": "Mode",
    "Difficulty": "Difficulté",
    "Length": "Longueur",
    "Duration": "Durée",
    "Summary": "Résumé",
    "Loop (ends where it starts)": "Boucle (finit où elle commence)",
    "Signposted length (m)": "Longueur balisée (m)",
    "Or import a GPX file": "Ou importer un fichier GPX",
    (
        "Draw the line with the line tool (top right of the map), or edit it with the edit tool; "
        "or import a GPX file below."
    ): (
        "Tracez la ligne avec l'outil ligne (en haut à droite de la carte), ou modifiez-la avec l'outil "
        "d'édition ; ou importez un fichier GPX ci-dessous."
    ),
    (
        "Saved values are computed by the server on the WGS84 ellipsoid; "
        "the values in brackets are an estimate of the line as drawn."
    ): (
        "Les valeurs enregistrées sont calculées par le serveur sur l'ellipsoïde WGS84 ; celles entre "
        "parenthèses sont une estimation de la ligne tracée."
    ),
    "Stops, in order": "Étapes, dans l'ordre",
    "Places near the line": "Lieux proches de la ligne",
    "within {metres} m": "à moins de {metres} m",
    "Draw the line first.": "Tracez d'abord la ligne.",
    "No other place near the line.": "Aucun autre lieu près de la ligne.",
    "Trigger radius (m)": "Rayon de déclenchement (m)",
    "Move up": "Monter",
    "Move down": "Descendre",
    "Remove": "Retirer",
    "Add": "Ajouter",
    # Accounts
    "Role": "Rôle",
    "Active": "Actif",
    "Change role": "Changer le rôle",
    "Deactivate": "Désactiver",
    "Reactivate": "Réactiver",
    "New account": "Nouveau compte",
    "New password": "Nouveau mot de passe",
    "Set": "Définir",
    "Create the account": "Créer le compte",
    "At least 10 characters": "Au moins 10 caractères",
    "Account {email} created.": "Compte {email} créé.",
    "Account {email} updated.": "Compte {email} modifié.",
    "an admin cannot deactivate their own account": "un administrateur ne peut pas désactiver son propre compte",
    # Generic validation messages (see i18n.GENERIC_MESSAGES)
    "This field is required.": "Ce champ est obligatoire.",
    "This text cannot be removed; change it instead.": "Ce texte ne peut pas être supprimé ; modifiez-le plutôt.",
    "This field cannot be empty.": "Ce champ ne peut pas être vide.",
    "Not a valid web address (it must start with http:// or https://).": (
        "Adresse web invalide (elle doit commencer par http:// ou https://)."
    ),
    "Not a valid email address.": "Adresse e-mail invalide.",
    "Invalid format.": "Format invalide.",
    "At least {0} characters.": "Au moins {0} caractères.",
    "At most {0} characters.": "Au plus {0} caractères.",
    "Between {0} and {1} characters.": "Entre {0} et {1} caractères.",
    # Photos
    "Photos": "Photos",
    "Drop photos here, or choose them:": "Déposez les photos ici, ou choisissez-les :",
    "Photos to upload": "Photos à envoyer",
    "JPEG, PNG, WebP or still GIF, at most {size} MB per upload.": (
        "JPEG, PNG, WebP ou GIF fixe, {size} Mo au plus par envoi."
    ),
    "Credit (photographer or owner)": "Crédit (photographe ou propriétaire)",
    "Licence": "Licence",
    "Upload": "Envoyer",
    "No photos yet.": "Pas encore de photos.",
    "Photos in order: drag to reorder": "Photos dans l'ordre : faites-les glisser pour les réordonner",
    "processing": "en traitement",
    "ready": "prête",
    "failed": "échec",
    "Cover": "Couverture",
    "Alt text": "Texte alternatif",
    "Caption": "Légende",
    "Save this photo": "Enregistrer cette photo",
    "Make cover": "Choisir comme couverture",
    "Delete": "Supprimer",
    "Choose or drop at least one photo.": "Choisissez ou déposez au moins une photo.",
    "Sending…": "Envoi…",
    "Uploaded; the sizes are being made.": "Envoyé ; les tailles sont en préparation.",
    "The upload failed.": "L'envoi a échoué.",
    "An upload is limited to {size} MB.": "Un envoi est limité à {size} Mo.",
}
