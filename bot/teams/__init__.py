"""Microsoft Teams adapter (Microsoft 365 Agents SDK). Every SDK import stays in this
package. Built in a later issue."""
