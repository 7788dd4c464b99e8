"""A contact as the reference server's ``Contact.to_dict`` shapes it (tags as a list)."""

from __future__ import annotations

from typing import Any

from tt.time.contacts.models import Contact


def contact_view(contact: Contact) -> dict[str, Any]:
    full_name = f"{contact.first_name} {contact.last_name}".strip()
    return {
        "id": contact.id,
        "client_id": contact.client_id,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "full_name": full_name,
        "display_name": f"{full_name} ({contact.title})" if contact.title else full_name,
        "email": contact.email,
        "phone": contact.phone,
        "mobile": contact.mobile,
        "title": contact.title,
        "department": contact.department,
        "role": contact.role,
        "is_primary": contact.is_primary,
        "address": contact.address,
        "notes": contact.notes,
        "tags": contact.tags.split(",") if contact.tags else [],
        "is_active": True,
        "created_by": contact.created_by,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }
