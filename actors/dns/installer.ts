/**
 * The identity cluster add-ons (the kube-dns Service, the default
 * StorageClass) are installed with: an admin, as kubeadm's and kind's addon
 * phases install them with the cluster-admin credentials. The add-on servers
 * themselves run with their own least-privilege identities.
 */

/** User and groups of the add-on installer. */
export const ADDON_INSTALLER: { user: string; groups: string[] } = { user: "system:actorkube:addon-installer", groups: ["system:masters"] };
