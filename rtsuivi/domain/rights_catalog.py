"""The rights as the « Droits » page shows them: grouped as RT groups them (General, Staff,
Admin; RT5 lib/RT/Queue.pm and lib/RT/System.pm), each with one line of meaning in French.

A right of rights.ALL_RIGHTS without an entry here still shows, in « Autres ».
"""
from flask_babel import lazy_gettext as _l

from . import rights

GROUPS = (("general", _l("Général")), ("staff", _l("Agents")), ("admin", _l("Administration")),
          ("other", _l("Autres")))

# right -> (group, meaning)
CATALOG = {
    "SeeQueue": ("general", _l("Voir la file dans les listes et la choisir")),
    "ShowTicket": ("general", _l("Voir les tickets (résumé et historique public)")),
    "CreateTicket": ("general", _l("Créer des tickets (web ou courriel)")),
    "ReplyToTicket": ("general", _l("Répondre aux tickets (courriel aux demandeurs)")),
    "CommentOnTicket": ("general", _l("Commenter les tickets (interne)")),
    "Watch": ("general", _l("Être demandeur ou Cc des tickets")),
    "SeeCustomField": ("general", _l("Voir les valeurs des champs personnalisés")),
    "ForwardMessage": ("general", _l("Transférer un ticket ou un message hors de l'outil")),
    "LoadSavedSearch": ("general", _l("Charger les recherches enregistrées")),
    "CreateSavedSearch": ("general", _l("Enregistrer des recherches")),
    "ShowSavedSearches": ("general", _l("Voir les recherches enregistrées")),
    "ShowSearchAdvanced": ("general", _l("Utiliser la recherche avancée (TicketSQL)")),
    "ShowTicketComments": ("staff", _l("Voir les commentaires internes")),
    "ShowOutgoingEmail": ("staff", _l("Voir les courriels envoyés, tels qu'ils sont partis")),
    "WatchAsAdminCc": ("staff", _l("Être AdminCc des tickets")),
    "OwnTicket": ("staff", _l("Être propriétaire des tickets")),
    "ModifyTicket": ("staff", _l("Modifier les tickets : champs, statut, personnes, file")),
    "DeleteTicket": ("staff", _l("Effacer des tickets (spam, essais)")),
    "TakeTicket": ("staff", _l("Prendre un ticket sans propriétaire")),
    "StealTicket": ("staff", _l("Voler un ticket détenu par un autre")),
    "ReassignTicket": ("staff", _l("Affecter un ticket à un autre agent")),
    "ModifyCustomField": ("staff", _l("Modifier les valeurs des champs personnalisés")),
    "SetInitialCustomField": ("staff", _l("Remplir les champs personnalisés à la création "
                                          "seulement")),
    "ModifySelf": ("staff", _l("Modifier ses propres préférences (signature, langue, mot de "
                               "passe)")),
    "ShowUserHistory": ("staff", _l("Voir l'historique des utilisateurs")),
    "ShowGlobalTemplates": ("staff", _l("Voir les modèles de courriel globaux")),
    "ShowSearchBulkUpdate": ("staff", _l("Mettre à jour des résultats de recherche en masse")),
    "CreateDashboard": ("staff", _l("Créer des tableaux de bord système")),
    "ManageAuthTokens": ("staff", _l("Gérer ses jetons d'API")),
    "AdminQueue": ("admin", _l("Créer, modifier et désactiver la file")),
    "AdminCannedResponses": ("admin", _l("Gérer les réponses prédéfinies")),
    "ShowACL": ("admin", _l("Voir qui détient quels droits sur la file")),
    "ModifyACL": ("admin", _l("Donner et retirer des droits sur la file")),
    "ModifyQueueWatchers": ("admin", _l("Changer les Cc et AdminCc de la file")),
    "AssignCustomFields": ("admin", _l("Attacher des champs personnalisés à la file")),
    "ShowTemplate": ("admin", _l("Voir les modèles de courriel de la file")),
    "ModifyTemplate": ("admin", _l("Modifier les modèles de courriel de la file")),
    "ShowScrips": ("admin", _l("Voir les règles de notification")),
    "ModifyScrips": ("admin", _l("Activer ou couper les règles de notification")),
    "SuperUser": ("admin", _l("Tout faire, partout")),
    "AdminUsers": ("admin", _l("Créer, modifier et désactiver les utilisateurs")),
    "AdminGroups": ("admin", _l("Créer, modifier les groupes et leurs membres")),
    "AdminCustomField": ("admin", _l("Créer, modifier et désactiver les champs "
                                     "personnalisés")),
    "ShowConfigTab": ("admin", _l("Voir le menu Administration")),
    # Dashboards as RT: system, personal (Own) and group (issue 15)
    "SeeDashboard": ("staff", _l("Voir les tableaux de bord système")),
    "ModifyDashboard": ("staff", _l("Modifier les tableaux de bord système")),
    "DeleteDashboard": ("staff", _l("Supprimer les tableaux de bord système")),
    "SeeOwnDashboard": ("staff", _l("Voir ses tableaux de bord personnels")),
    "CreateOwnDashboard": ("staff", _l("Créer des tableaux de bord personnels")),
    "ModifyOwnDashboard": ("staff", _l("Modifier ses tableaux de bord personnels")),
    "DeleteOwnDashboard": ("staff", _l("Supprimer ses tableaux de bord personnels")),
    "SeeGroupDashboard": ("staff", _l("Voir les tableaux de bord de ses groupes")),
    "CreateGroupDashboard": ("staff", _l("Créer des tableaux de bord pour ses groupes")),
    "ModifyGroupDashboard": ("staff", _l("Modifier les tableaux de bord de ses groupes")),
    "DeleteGroupDashboard": ("staff", _l("Supprimer les tableaux de bord de ses groupes")),
    "SubscribeDashboard": ("staff", _l("Recevoir des tableaux de bord par courriel")),
}


def rights_for(queue_level: bool) -> tuple[str, ...]:
    """The rights grantable on a queue (queue rights) or on the system (all of them)."""
    return rights.QUEUE_RIGHTS if queue_level else rights.ALL_RIGHTS


def grouped(queue_level: bool) -> list[tuple[object, list[tuple[str, object]]]]:
    """[(group label, [(right, meaning), ...]), ...] in RT's order, empty groups left out."""
    names = rights_for(queue_level)
    found = []
    for key, label in GROUPS:
        members = [(name, CATALOG.get(name, ("other", MEANINGS.get(name, "")))[1])
                   for name in names
                   if CATALOG.get(name, ("other",))[0] == key]
        if members:
            found.append((label, members))
    return found


# One line of meaning per right, as RT describes them (`flask rtsuivi rights` prints these).
MEANINGS = {
    "SeeQueue": "See the queue and its ticket counts",
    "AdminQueue": "Create, modify and disable the queue",
    "ShowACL": "See who holds which right on the queue",
    "ModifyACL": "Grant and revoke rights on the queue",
    "ModifyQueueWatchers": "Change the queue's Cc and AdminCc",
    "SeeCustomField": "See custom field values",
    "ModifyCustomField": "Change custom field values",
    "SetInitialCustomField": "Set custom field values when creating a ticket only",
    "AssignCustomFields": "Attach custom fields to the queue",
    "ShowTemplate": "See the queue's mail templates",
    "ModifyTemplate": "Change the queue's mail templates",
    "ShowScrips": "See the queue's notification rules (scrips)",
    "ModifyScrips": "Change the queue's notification rules (scrips)",
    "ShowTicket": "See tickets (summary and history)",
    "ShowTicketComments": "See the internal comments of tickets",
    "ShowOutgoingEmail": "See the mails sent for a ticket, as they left",
    "Watch": "Be Requestor or Cc of tickets",
    "WatchAsAdminCc": "Be AdminCc of tickets",
    "CreateTicket": "Create tickets in the queue (and move tickets into it)",
    "ReplyToTicket": "Reply to tickets (mail to the requestors)",
    "CommentOnTicket": "Comment on tickets (internal)",
    "OwnTicket": "Be the owner of tickets",
    "ModifyTicket": "Change tickets: fields, status, people, queue",
    "DeleteTicket": "Delete tickets (Effacer: spam and tests)",
    "TakeTicket": "Take an unowned ticket (Prendre)",
    "StealTicket": "Take a ticket someone else owns (Voler)",
    "ReassignTicket": "Give tickets to another agent (Affecter)",
    "ForwardMessage": "Forward tickets and messages outside (Transférer)",
    "AdminCannedResponses": "Manage the predefined responses (Réponses prédéfinies)",
    "SuperUser": "Do anything and everything, everywhere",
    "AdminUsers": "Create, modify and disable users",
    "AdminGroups": "Create, modify and delete groups and their members",
    "AdminCustomField": "Create, modify and disable custom fields",
    "ModifySelf": "Change one's own settings (signature, language, password)",
    "ShowUserHistory": "See the history of users",
    "ShowConfigTab": "See the administration menu",
    "ShowGlobalTemplates": "See the global mail templates",
    "LoadSavedSearch": "Load saved searches",
    "ShowSavedSearches": "See saved searches",
    "CreateSavedSearch": "Save searches",
    "CreateDashboard": "Create system dashboards",
    "ShowSearchAdvanced": "Use the advanced search (TicketSQL)",
    "ShowSearchBulkUpdate": "Update search results in bulk",
    "ManageAuthTokens": "Manage one's API tokens",
    "SeeDashboard": "See system dashboards",
    "ModifyDashboard": "Change system dashboards",
    "DeleteDashboard": "Delete system dashboards",
    "SeeOwnDashboard": "See one's personal dashboards",
    "CreateOwnDashboard": "Create personal dashboards",
    "ModifyOwnDashboard": "Change one's personal dashboards",
    "DeleteOwnDashboard": "Delete one's personal dashboards",
    "SeeGroupDashboard": "See the dashboards of one's groups",
    "CreateGroupDashboard": "Create dashboards for one's groups",
    "ModifyGroupDashboard": "Change the dashboards of one's groups",
    "DeleteGroupDashboard": "Delete the dashboards of one's groups",
    "SubscribeDashboard": "Receive dashboards by mail",
}
