from django.dispatch import Signal

records_changed = Signal()
